#include "vrrp/raw_socket.h"

#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "socket/system_error.h"

namespace vrrp {

namespace {

constexpr int kIpprotoVrrp = 112;
constexpr uint32_t kGroup = 0xe0000012;  // 224.0.0.18, RFC 5798 section 5.1.1.2
constexpr int kTtl = 255;
constexpr int kTosInternetControl = 0xc0;  // IPTOS_PREC_INTERNETCONTROL, as keepalived sends

using ipvs::Step;
using ipvs::SystemError;

void SetOption(int fd, int level, int name, const void* value, socklen_t size, const char* what) {
  if (::setsockopt(fd, level, name, value, size) != 0)
    throw SystemError(Step::kSocket, errno, std::string("setsockopt ") + what);
}

void SetInt(int fd, int level, int name, int value, const char* what) {
  SetOption(fd, level, name, &value, sizeof value, what);
}

// Everything after socket(): any failure closes the descriptor in the constructor's catch.
void Configure(int fd, const std::string& ifname, int ifindex) {
  SetOption(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(), static_cast<socklen_t>(ifname.size()),
            "SO_BINDTODEVICE");
  SetInt(fd, IPPROTO_IP, IP_MULTICAST_TTL, kTtl, "IP_MULTICAST_TTL");
  SetInt(fd, IPPROTO_IP, IP_TTL, kTtl, "IP_TTL");  // unicast peers
  SetInt(fd, IPPROTO_IP, IP_TOS, kTosInternetControl, "IP_TOS");
  SetInt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP");  // not our own adverts
  SetInt(fd, IPPROTO_IP, IP_MULTICAST_ALL, 0, "IP_MULTICAST_ALL");    // only the groups we join
  SetInt(fd, IPPROTO_IP, IP_RECVTTL, 1, "IP_RECVTTL");
  SetInt(fd, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO");
  ip_mreqn request{};
  request.imr_multiaddr.s_addr = htonl(kGroup);
  request.imr_ifindex = ifindex;
  SetOption(fd, IPPROTO_IP, IP_MULTICAST_IF, &request, sizeof request, "IP_MULTICAST_IF");
  SetOption(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &request, sizeof request, "IP_ADD_MEMBERSHIP");
}

void ReadControl(msghdr* message, Datagram* out) {
  for (cmsghdr* c = CMSG_FIRSTHDR(message); c != nullptr; c = CMSG_NXTHDR(message, c)) {
    if (c->cmsg_level != IPPROTO_IP) continue;
    if (c->cmsg_type == IP_TTL && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      std::memcpy(&out->ttl, CMSG_DATA(c), sizeof(int));
    } else if (c->cmsg_type == IP_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(in_pktinfo))) {
      in_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      out->ifindex = info.ipi_ifindex;
    }
  }
}

}  // namespace

bool SplitIpv4(const uint8_t* data, size_t length, Datagram* out) {
  if (length < 20 || (data[0] >> 4) != 4) return false;
  const size_t header = static_cast<size_t>(data[0] & 0x0f) * 4;
  const size_t total = (static_cast<size_t>(data[2]) << 8) | data[3];
  if (header < 20 || header > length || total < header) return false;
  std::copy(data + 12, data + 16, out->source.begin());
  std::copy(data + 16, data + 20, out->destination.begin());
  // The kernel trims to the header's total length; a shorter read was cut by our buffer.
  const size_t end = std::min({length, total, header + RawSocket::kMaxPayload});
  out->payload.assign(data + header, data + end);
  return true;
}

RawSocket::RawSocket(const ipvs::NetnsFile& netns, const std::string& ifname) {
  {
    ipvs::ScopedNetns inside(netns);
    fd_ = ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, kIpprotoVrrp);
    if (fd_ < 0) throw SystemError(Step::kSocket, errno, "socket(AF_INET, SOCK_RAW, 112)");
    // Interface names resolve in the namespace the thread is in: inside, before switching back.
    ifindex_ = static_cast<int>(::if_nametoindex(ifname.c_str()));
  }
  try {
    if (ifindex_ == 0) throw SystemError(Step::kSocket, ENODEV, "interface " + ifname);
    Configure(fd_, ifname, ifindex_);
    wake_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_ < 0) throw SystemError(Step::kSocket, errno, "eventfd");
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

RawSocket::~RawSocket() {
  if (fd_ >= 0) ::close(fd_);
  if (wake_ >= 0) ::close(wake_);
}

void RawSocket::Cancel() {
  const uint64_t one = 1;
  // A full counter still wakes the poll: the write's result does not matter.
  [[maybe_unused]] ssize_t written = ::write(wake_, &one, sizeof one);
}

bool RawSocket::Receive(std::chrono::milliseconds timeout, Datagram* out) {
  pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_, POLLIN, 0}};
  const int ready = ::poll(fds, 2, static_cast<int>(timeout.count()));
  if (ready < 0) throw SystemError(Step::kWait, errno, "poll on the VRRP socket");
  if (fds[1].revents != 0) throw SystemError(Step::kClosed, EBADF, "the VRRP socket is closed");
  if (ready == 0) return false;
  // One IP header with options (60 bytes) and the largest message; a longer datagram is cut, and
  // the decoder then refuses it by its length.
  uint8_t buffer[60 + kMaxPayload];
  alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(in_pktinfo))];
  sockaddr_in from{};
  iovec vector{buffer, sizeof buffer};
  msghdr message{};
  message.msg_name = &from;
  message.msg_namelen = sizeof from;
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  const ssize_t received = ::recvmsg(fd_, &message, MSG_DONTWAIT);
  if (received < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return false;
    throw SystemError(Step::kReceive, errno, "recvmsg on the VRRP socket");
  }
  *out = Datagram{};
  ReadControl(&message, out);
  if (!SplitIpv4(buffer, static_cast<size_t>(received), out)) {
    // Not an IPv4 header (never from a raw IPv4 socket): reported with no payload, refused later.
    std::memcpy(out->source.data(), &from.sin_addr, 4);
  }
  return true;
}

void RawSocket::Send(const uint8_t* data, size_t length, const Ipv4& destination) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  std::memcpy(&to.sin_addr, destination.data(), 4);
  const ssize_t sent =
      ::sendto(fd_, data, length, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  if (sent < 0) throw SystemError(Step::kSend, errno, "sendto on the VRRP socket");
}

}  // namespace vrrp
