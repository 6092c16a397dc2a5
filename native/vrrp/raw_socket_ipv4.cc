#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>

#include <cstring>

#include "vrrp/raw_socket_family.h"

namespace vrrp {
namespace detail {

namespace {

constexpr uint32_t kGroup = 0xe0000012;  // 224.0.0.18, RFC 5798 section 5.1.1.2
constexpr int kTtl = 255;
constexpr int kTosInternetControl = 0xc0;  // IPTOS_PREC_INTERNETCONTROL, as keepalived sends

}  // namespace

void ConfigureIpv4(int fd, const std::string& ifname, int ifindex) {
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

void ReadControlIpv4(msghdr* message, Datagram* out) {
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

socklen_t DestinationIpv4(const IpAddress& address, sockaddr_storage* out) {
  auto* to = reinterpret_cast<sockaddr_in*>(out);
  to->sin_family = AF_INET;
  std::memcpy(&to->sin_addr, address.bytes.data(), 4);
  return sizeof(sockaddr_in);
}

}  // namespace detail
}  // namespace vrrp
