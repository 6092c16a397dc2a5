// Network configuration of one namespace as plain C++ structs: the rtnetlink requests a real
// server's preparation and checks need (links, addresses, routes) and /proc/sys values, and what
// they return. Independent of both netlink and N-API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rtnl {

struct IpAddress {
  uint8_t family = 0;  // AF_INET or AF_INET6
  uint8_t bytes[16] = {};
};

enum class Op {
  kGetLinks,      // RTM_GETLINK dump
  kSetLinkUp,     // RTM_NEWLINK on an existing device: IFF_UP set
  kSetLinkDown,   // RTM_NEWLINK on an existing device: IFF_UP cleared
  kEnsureIpip,    // RTM_NEWLINK tunl0 kind ipip, created if missing (loads ipip), and up
  kAddAddress,    // RTM_NEWADDR
  kDelAddress,    // RTM_DELADDR
  kGetAddresses,  // RTM_GETADDR dump
  kGetRoutes,     // RTM_GETROUTE dump of one family
  kReadSysctl,    // /proc/sys/PATH
  kWriteSysctl,
};

struct Request {
  Op op = Op::kGetLinks;
  std::string ifname;  // links and addresses: the device
  IpAddress address;   // addresses
  uint8_t prefix_len = 0;
  std::string label;   // IFA_LABEL ("lo:0"), IPv4 only; empty for none
  uint8_t family = 0;  // kGetRoutes: AF_INET or AF_INET6
  std::string path;    // sysctls: relative to /proc/sys, e.g. net/ipv4/conf/all/arp_ignore
  std::string value;   // kWriteSysctl
};

struct Link {
  uint32_t index = 0;
  std::string name;
  uint32_t flags = 0;  // IFF_*
  std::string kind;    // IFLA_INFO_KIND ("ipip", "veth", ...), empty for none
};

struct AddressEntry {
  uint32_t ifindex = 0;
  IpAddress address;
  uint8_t prefix_len = 0;
  uint8_t scope = 0;
  std::string label;
};

struct Route {
  uint8_t family = 0;
  uint8_t dst_len = 0;
  uint32_t table = 0;
  uint8_t type = 0;  // RTN_UNICAST, RTN_LOCAL, ...
  IpAddress dst;     // all zero for a default route
  bool has_gateway = false;
  IpAddress gateway;
  uint32_t oif = 0;
};

struct Reply {
  int error = 0;  // 0 or a positive errno
  std::string message;
  std::optional<uint32_t> offset;  // the extended ack's offset (nl::ErrorReply::offset)
  std::vector<Link> links;
  std::vector<AddressEntry> addresses;
  std::vector<Route> routes;
  std::string value;  // kReadSysctl
};

inline bool IsDump(Op op) {
  return op == Op::kGetLinks || op == Op::kGetAddresses || op == Op::kGetRoutes;
}
inline bool IsSysctl(Op op) {
  return op == Op::kReadSysctl || op == Op::kWriteSysctl;
}
inline bool NeedsIfindex(Op op) {
  return op == Op::kAddAddress || op == Op::kDelAddress;
}

}  // namespace rtnl
