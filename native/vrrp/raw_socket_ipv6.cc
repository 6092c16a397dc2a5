// IPv6 differs from IPv4 in what the socket hands over: the payload without the IP header, so
// the destination comes from IPV6_PKTINFO and the hop limit from IPV6_HOPLIMIT. And in the
// checksum: the kernel computes it (IPV6_CHECKSUM), over the source it picks itself, on a second
// socket that only sends (as keepalived has one socket to send and one to receive), since on a
// receiving socket IPV6_CHECKSUM would drop bad packets unseen where the RFC wants them counted.
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cstring>

#include "vrrp/raw_socket_family.h"

namespace vrrp {
namespace detail {

namespace {

// ff02::12, RFC 5798 section 5.1.2.2.
constexpr Ipv6 kGroup = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12};
constexpr int kHopLimit = 255;
constexpr int kChecksumOffset = 6;  // the VRRP header's checksum field

}  // namespace

void ConfigureIpv6(int fd, const std::string& ifname, int ifindex) {
  SetOption(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(), static_cast<socklen_t>(ifname.size()),
            "SO_BINDTODEVICE");
  SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, kHopLimit, "IPV6_MULTICAST_HOPS");
  SetInt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, kHopLimit, "IPV6_UNICAST_HOPS");  // unicast peers
  SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");  // not our own adverts
  SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0, "IPV6_MULTICAST_ALL");    // only groups we join
  SetInt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
  SetInt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
  SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF");
  ipv6_mreq request{};
  std::memcpy(&request.ipv6mr_multiaddr, kGroup.data(), kGroup.size());
  request.ipv6mr_interface = static_cast<unsigned>(ifindex);
  SetOption(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &request, sizeof request, "IPV6_JOIN_GROUP");
}

void ConfigureIpv6Sender(int fd, const std::string& ifname, int ifindex) {
  SetOption(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(), static_cast<socklen_t>(ifname.size()),
            "SO_BINDTODEVICE");
  SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, kHopLimit, "IPV6_MULTICAST_HOPS");
  SetInt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, kHopLimit, "IPV6_UNICAST_HOPS");
  SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
  SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0, "IPV6_MULTICAST_ALL");
  SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF");
  SetInt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, kChecksumOffset, "IPV6_CHECKSUM");
  // Every raw socket of protocol 112 gets a copy of each unicast datagram: this one keeps none.
  sock_filter drop_all[] = {{BPF_RET | BPF_K, 0, 0, 0}};
  sock_fprog program{1, drop_all};
  SetOption(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program, "SO_ATTACH_FILTER");
}

void ReadControlIpv6(msghdr* message, Datagram* out) {
  for (cmsghdr* c = CMSG_FIRSTHDR(message); c != nullptr; c = CMSG_NXTHDR(message, c)) {
    if (c->cmsg_level != IPPROTO_IPV6) continue;
    if (c->cmsg_type == IPV6_HOPLIMIT && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      std::memcpy(&out->ttl, CMSG_DATA(c), sizeof(int));
    } else if (c->cmsg_type == IPV6_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(in6_pktinfo))) {
      in6_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      out->ifindex = static_cast<int>(info.ipi6_ifindex);
      out->destination.family = Family::kIpv6;
      std::memcpy(out->destination.bytes.data(), &info.ipi6_addr, 16);
    }
  }
}

socklen_t DestinationIpv6(const IpAddress& address, int ifindex, sockaddr_storage* out) {
  auto* to = reinterpret_cast<sockaddr_in6*>(out);
  to->sin6_family = AF_INET6;
  std::memcpy(&to->sin6_addr, address.bytes.data(), 16);
  // ff02::12 and link-local peers need the interface; the kernel ignores it for global ones.
  to->sin6_scope_id = static_cast<uint32_t>(ifindex);
  return sizeof(sockaddr_in6);
}

}  // namespace detail
}  // namespace vrrp
