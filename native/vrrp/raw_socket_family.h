// What differs between VRRP's IPv4 and IPv6 sockets (raw_socket.cc holds what is shared): the
// options set after socket(), the ancillary data read on receive, and the destination's sockaddr.
#pragma once

#include <sys/socket.h>

#include <string>

#include "vrrp/raw_socket.h"

namespace vrrp {
namespace detail {

// Sets the group, the TTL/hop limit and the receive options; throws SystemError kSocket.
void ConfigureIpv4(int fd, const std::string& ifname, int ifindex);
void ConfigureIpv6(int fd, const std::string& ifname, int ifindex);
// IPv6's second socket, which only sends: the kernel fills the checksum, and it receives nothing.
void ConfigureIpv6Sender(int fd, const std::string& ifname, int ifindex);

// Fills ttl, ifindex (and for IPv6 the destination) from the control messages.
void ReadControlIpv4(msghdr* message, Datagram* out);
void ReadControlIpv6(msghdr* message, Datagram* out);

// The sockaddr for sendto(); returns its length.
socklen_t DestinationIpv4(const IpAddress& address, sockaddr_storage* out);
socklen_t DestinationIpv6(const IpAddress& address, int ifindex, sockaddr_storage* out);

// Throws SystemError kSocket for a failed setsockopt, naming the option.
void SetOption(int fd, int level, int name, const void* value, socklen_t size, const char* what);
void SetInt(int fd, int level, int name, int value, const char* what);

}  // namespace detail
}  // namespace vrrp
