#include "socket/genl_socket.h"

#include <linux/netlink.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include "socket/system_error.h"

namespace ipvs {

namespace {

// What we ask for; the kernel doubles it. The receive side holds the acks of a whole chunk
// (about 1 KiB of buffer accounting each), the send side one chunk of requests.
constexpr size_t kInitialSendBuffer = 1 << 20;
constexpr size_t kInitialReceiveBuffer = 4 << 20;
constexpr size_t kMaxReceiveBuffer = 64 << 20;
// Kernel dump skbs stay below 32 KiB and IPVS replies below a page; 64 KiB never truncates
// them, and a datagram that is larger still is detected (MSG_TRUNC) rather than cut silently.
constexpr size_t kInitialReceiveSpace = 64 << 10;

class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// NETLINK_CAP_ACK (4.3) and NETLINK_EXT_ACK (4.12) are optimisations and diagnostics only: an
// older kernel without them still works.
void EnableOptional(int fd, int option, const char* what) {
  const int one = 1;
  if (::setsockopt(fd, SOL_NETLINK, option, &one, sizeof one) != 0 && errno != ENOPROTOOPT) {
    throw SystemError(Step::kSocket, errno, what);
  }
}

}  // namespace

std::unique_ptr<GenlSocket> GenlSocket::Open() {
  return Open(NETLINK_GENERIC);
}

std::unique_ptr<GenlSocket> GenlSocket::Open(int protocol) {
  FdGuard fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol));
  if (fd.get() < 0)
    throw SystemError(
        Step::kSocket, errno,
        protocol == NETLINK_GENERIC ? "open a generic netlink socket" : "open a netlink socket");
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
    throw SystemError(Step::kSocket, errno, "bind the generic netlink socket");
  }
  EnableOptional(fd.get(), NETLINK_CAP_ACK, "enable NETLINK_CAP_ACK");
  EnableOptional(fd.get(), NETLINK_EXT_ACK, "enable NETLINK_EXT_ACK");
  FdGuard cancel_fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (cancel_fd.get() < 0) throw SystemError(Step::kSocket, errno, "create the cancel eventfd");

  std::unique_ptr<GenlSocket> socket(new GenlSocket(fd.release(), cancel_fd.release()));
  socket->SetBufferSize(/*receive=*/false, kInitialSendBuffer);
  socket->SetBufferSize(/*receive=*/true, kInitialReceiveBuffer);
  return socket;
}

GenlSocket::GenlSocket(int fd, int cancel_fd)
    : fd_(fd), cancel_fd_(cancel_fd), receive_buffer_(kInitialReceiveSpace) {}

GenlSocket::~GenlSocket() {
  ::close(fd_);
  ::close(cancel_fd_);
}

// The *FORCE options ignore net.core.[rw]mem_max but need CAP_NET_ADMIN, which IPVS demands
// anyway; without it the plain option still gives what the sysctl allows.
void GenlSocket::SetBufferSize(bool receive, size_t bytes) {
  const int value = static_cast<int>(std::min<size_t>(bytes, INT_MAX / 2));
  const int forced = receive ? SO_RCVBUFFORCE : SO_SNDBUFFORCE;
  const int plain = receive ? SO_RCVBUF : SO_SNDBUF;
  if (::setsockopt(fd_, SOL_SOCKET, forced, &value, sizeof value) != 0) {
    // Best effort: a smaller buffer only means smaller chunks.
    (void)::setsockopt(fd_, SOL_SOCKET, plain, &value, sizeof value);
  }
  (receive ? receive_buffer_size_ : send_buffer_size_) = ReadBufferSize(receive);
}

size_t GenlSocket::ReadBufferSize(bool receive) const {
  int value = 0;
  socklen_t len = sizeof value;
  if (::getsockopt(fd_, SOL_SOCKET, receive ? SO_RCVBUF : SO_SNDBUF, &value, &len) != 0 ||
      value <= 0) {
    return 0;
  }
  return static_cast<size_t>(value);
}

bool GenlSocket::GrowReceiveBuffer() {
  const size_t before = receive_buffer_size_;
  if (before >= kMaxReceiveBuffer) return false;
  // Asking for the current (already doubled) size doubles it again.
  SetBufferSize(/*receive=*/true, std::min(before, kMaxReceiveBuffer / 2));
  return receive_buffer_size_ > before;
}

GenlSocket::Counters GenlSocket::counters() const {
  constexpr auto relaxed = std::memory_order_relaxed;
  return Counters{sendmsg_calls_.load(relaxed), messages_sent_.load(relaxed),
                  bytes_sent_.load(relaxed), datagrams_received_.load(relaxed)};
}

int GenlSocket::Send(const uint8_t* data, size_t len, size_t message_count) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  iovec iov{const_cast<uint8_t*>(data), len};
  msghdr message{};
  message.msg_name = &kernel;
  message.msg_namelen = sizeof kernel;
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  ssize_t sent;
  do {
    sent = ::sendmsg(fd_, &message, 0);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return errno;
  sendmsg_calls_.fetch_add(1, std::memory_order_relaxed);
  messages_sent_.fetch_add(message_count, std::memory_order_relaxed);
  bytes_sent_.fetch_add(static_cast<uint64_t>(sent), std::memory_order_relaxed);
  // The kernel takes a netlink datagram whole or not at all.
  return static_cast<size_t>(sent) == len ? 0 : EIO;
}

std::unique_ptr<nl::Writer> GenlSocket::TakeWriter(size_t capacity) {
  if (spare_writer_ && spare_writer_->capacity() == capacity) {
    spare_writer_->Clear();
    return std::move(spare_writer_);
  }
  spare_writer_.reset();
  return std::make_unique<nl::Writer>(capacity);
}

long GenlSocket::Receive(bool* truncated) {
  *truncated = false;
  sockaddr_nl sender{};
  iovec iov{receive_buffer_.data(), receive_buffer_.size()};
  msghdr message{};
  message.msg_name = &sender;
  message.msg_namelen = sizeof sender;
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  ssize_t len;
  do {
    // MSG_TRUNC makes the result the datagram's real length even when it did not fit.
    len = ::recvmsg(fd_, &message, MSG_DONTWAIT | MSG_TRUNC);
  } while (len < 0 && errno == EINTR);
  if (len < 0) return -errno;
  datagrams_received_.fetch_add(1, std::memory_order_relaxed);
  // Only the kernel (port 0) answers requests; anything another process managed to send to this
  // port is dropped, so that it can never pass for an ack.
  if (sender.nl_pid != 0) return 0;
  const size_t space = receive_buffer_.size();
  if ((message.msg_flags & MSG_TRUNC) != 0 || static_cast<size_t>(len) > space) {
    *truncated = true;
    receive_buffer_.resize(std::max(static_cast<size_t>(len), space * 2));
    return static_cast<long>(space);
  }
  return static_cast<long>(len);
}

GenlSocket::Wake GenlSocket::Wait(Clock::time_point deadline) {
  for (;;) {
    if (TakeCancel()) return Wake::kCancelled;
    const auto remaining = deadline - Clock::now();
    if (remaining <= Clock::duration::zero()) return Wake::kDeadline;
    // Round up so that the wait never ends a hair before the deadline and spins.
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(remaining).count();
    pollfd fds[2] = {{fd_, POLLIN, 0}, {cancel_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, static_cast<int>(std::min<long long>(ms, INT_MAX)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw SystemError(Step::kWait, errno, "poll the generic netlink socket");
    }
    if (fds[1].revents != 0) {
      DrainCancelFd();
      continue;  // TakeCancel() at the top reports it.
    }
    if (fds[0].revents != 0) return Wake::kReadable;
  }
}

// The flag answers the common question (no cancel) without a syscall; the eventfd only wakes
// poll(). Cancel() sets the flag before it writes, so a readable eventfd always follows a set flag
// (possibly one already taken, in which case draining it is all there is to do).
bool GenlSocket::TakeCancel() {
  if (!cancel_pending_.exchange(false, std::memory_order_acq_rel)) return false;
  DrainCancelFd();
  return true;
}

void GenlSocket::DrainCancelFd() {
  uint64_t count;
  (void)!::read(cancel_fd_, &count, sizeof count);
}

void GenlSocket::Cancel() {
  cancel_pending_.store(true, std::memory_order_release);
  const uint64_t one = 1;
  // Can only fail when the counter would overflow, and then a wake-up is pending anyway.
  (void)!::write(cancel_fd_, &one, sizeof one);
}

}  // namespace ipvs
