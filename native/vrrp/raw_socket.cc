#include "vrrp/raw_socket.h"

#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "socket/system_error.h"
#include "vrrp/raw_socket_family.h"

namespace vrrp {

namespace {

constexpr int kIpprotoVrrp = 112;

using ipvs::Step;
using ipvs::SystemError;

std::string SocketCall(Family family) {
  return family == Family::kIpv4 ? "socket(AF_INET, SOCK_RAW, 112)"
                                 : "socket(AF_INET6, SOCK_RAW, 112)";
}

}  // namespace

namespace detail {

void SetOption(int fd, int level, int name, const void* value, socklen_t size, const char* what) {
  if (::setsockopt(fd, level, name, value, size) != 0)
    throw SystemError(Step::kSocket, errno, std::string("setsockopt ") + what);
}

void SetInt(int fd, int level, int name, int value, const char* what) {
  SetOption(fd, level, name, &value, sizeof value, what);
}

}  // namespace detail

bool SplitIpv4(const uint8_t* data, size_t length, Datagram* out) {
  if (length < 20 || (data[0] >> 4) != 4) return false;
  const size_t header = static_cast<size_t>(data[0] & 0x0f) * 4;
  const size_t total = (static_cast<size_t>(data[2]) << 8) | data[3];
  if (header < 20 || header > length || total < header) return false;
  out->source.family = Family::kIpv4;
  out->destination.family = Family::kIpv4;
  std::copy(data + 12, data + 16, out->source.bytes.begin());
  std::copy(data + 16, data + 20, out->destination.bytes.begin());
  // The kernel trims to the header's total length; a shorter read was cut by our buffer.
  const size_t end = std::min({length, total, header + RawSocket::kMaxPayloadIpv4});
  out->payload.assign(data + header, data + end);
  return true;
}

RawSocket::RawSocket(const ipvs::NetnsFile& netns, const std::string& ifname, Family family)
    : family_(family) {
  {
    ipvs::ScopedNetns inside(netns);
    const int domain = family == Family::kIpv4 ? AF_INET : AF_INET6;
    fd_ = ::socket(domain, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, kIpprotoVrrp);
    if (fd_ < 0) {
      const int error = errno;
      throw SystemError(
          Step::kSocket, error,
          SocketCall(family) + (error == EPERM || error == EACCES ? " (needs CAP_NET_RAW)" : ""));
    }
    if (family == Family::kIpv6) {
      send_fd_ = ::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, kIpprotoVrrp);
      if (send_fd_ < 0) {
        const int error = errno;
        ::close(fd_);
        fd_ = -1;
        throw SystemError(Step::kSocket, error, SocketCall(family) + " to send");
      }
    }
    // Interface names resolve in the namespace the thread is in: inside, before switching back.
    ifindex_ = static_cast<int>(::if_nametoindex(ifname.c_str()));
  }
  try {
    if (ifindex_ == 0) throw SystemError(Step::kSocket, ENODEV, "interface " + ifname);
    if (family == Family::kIpv4) {
      detail::ConfigureIpv4(fd_, ifname, ifindex_);
    } else {
      detail::ConfigureIpv6(fd_, ifname, ifindex_);
      detail::ConfigureIpv6Sender(send_fd_, ifname, ifindex_);
    }
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    if (send_fd_ >= 0) ::close(send_fd_);
    send_fd_ = -1;
    throw;
  }
}

RawSocket::~RawSocket() {
  if (fd_ >= 0) ::close(fd_);
  if (send_fd_ >= 0) ::close(send_fd_);
}

bool RawSocket::TryReceive(Datagram* out) {
  // IPv4: one IP header with options (60 bytes) and the largest message; IPv6: the largest
  // message (no header). A longer datagram is cut, and the decoder then refuses it by its length.
  uint8_t buffer[std::max(60 + kMaxPayloadIpv4, kMaxPayloadIpv6)];
  alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(in6_pktinfo))];
  sockaddr_storage from{};
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
  const size_t length = static_cast<size_t>(received);
  if (family_ == Family::kIpv6) {
    detail::ReadControlIpv6(&message, out);
    out->source.family = Family::kIpv6;
    std::memcpy(out->source.bytes.data(), &reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr, 16);
    out->payload.assign(buffer, buffer + std::min(length, kMaxPayloadIpv6));
    return true;
  }
  detail::ReadControlIpv4(&message, out);
  if (!SplitIpv4(buffer, length, out)) {
    // Not an IPv4 header (never from a raw IPv4 socket): reported with no payload, refused later.
    std::memcpy(out->source.bytes.data(), &reinterpret_cast<sockaddr_in*>(&from)->sin_addr, 4);
  }
  return true;
}

void RawSocket::Send(const uint8_t* data, size_t length, const IpAddress& destination) {
  sockaddr_storage to{};
  const socklen_t size = family_ == Family::kIpv4
                             ? detail::DestinationIpv4(destination, &to)
                             : detail::DestinationIpv6(destination, ifindex_, &to);
  const int fd = send_fd_ >= 0 ? send_fd_ : fd_;
  const ssize_t sent = ::sendto(fd, data, length, 0, reinterpret_cast<const sockaddr*>(&to), size);
  if (sent < 0) throw SystemError(Step::kSend, errno, "sendto on the VRRP socket");
}

}  // namespace vrrp
