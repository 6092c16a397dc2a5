// Announcing that an address now lives on this interface, as a new VRRP master must (RFC 5798
// section 6.4.2): a gratuitous ARP through a packet socket for IPv4, an unsolicited neighbour
// advertisement through a raw ICMPv6 socket for IPv6, both from the interface's own Ethernet
// address. The sockets are opened inside the namespace on the opening thread, like the VRRP
// socket, and receive nothing.
#pragma once

#include <string>

#include "socket/netns.h"
#include "vrrp/addresses.h"

namespace vrrp {

class Announcer {
 public:
  // Opens both sockets inside `netns` for `ifname` and reads its Ethernet address. Throws
  // ipvs::SystemError: kNetnsOpen/kNetnsEnter, or kSocket (ENODEV: no such interface;
  // EOPNOTSUPP: not an Ethernet interface; EPERM: no CAP_NET_RAW). A namespace without IPv6
  // still opens: AnnounceIpv6 then fails with EAFNOSUPPORT.
  Announcer(const ipvs::NetnsFile& netns, const std::string& ifname);
  Announcer(const Announcer&) = delete;
  Announcer& operator=(const Announcer&) = delete;
  ~Announcer();

  // One gratuitous ARP for `address`, broadcast. Throws SystemError kSend.
  void AnnounceIpv4(const Ipv4& address);
  // One unsolicited neighbour advertisement for `address` to ff02::1, hop limit 255. Throws
  // SystemError kSend.
  void AnnounceIpv6(const Ipv6& address);

  int ifindex() const { return ifindex_; }
  const Mac& mac() const { return mac_; }

 private:
  int packet_fd_ = -1;
  int icmp6_fd_ = -1;
  int icmp6_errno_ = 0;  // why icmp6_fd_ could not be opened
  int ifindex_ = 0;
  Mac mac_{};
};

}  // namespace vrrp
