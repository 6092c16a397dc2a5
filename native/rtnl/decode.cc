#include "rtnl/decode.h"

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>

namespace rtnl {

namespace {

// The fixed header, and where the attributes after it start; false when the payload is short.
template <typename Header>
bool Split(const nl::Message& message, Header* header, const uint8_t** attrs, size_t* attrs_len) {
  const size_t aligned = NLMSG_ALIGN(sizeof(Header));
  if (message.payload_len < sizeof(Header)) return false;
  std::memcpy(header, message.payload, sizeof(Header));
  const size_t skip = aligned < message.payload_len ? aligned : message.payload_len;
  *attrs = message.payload + skip;
  *attrs_len = message.payload_len - skip;
  return true;
}

// An address attribute of exactly the family's length.
bool ReadAddress(const nl::Attr& attr, uint8_t family, IpAddress* out) {
  const size_t len = family == AF_INET6 ? 16 : family == AF_INET ? 4 : 0;
  if (len == 0 || attr.len != len) return false;
  out->family = family;
  std::memcpy(out->bytes, attr.data, len);
  return true;
}

bool DecodeLink(const nl::Message& message, Reply* reply) {
  ifinfomsg header{};
  const uint8_t* attrs = nullptr;
  size_t attrs_len = 0;
  if (!Split(message, &header, &attrs, &attrs_len)) return false;
  nl::Attr table[IFLA_MAX + 1] = {};
  if (!nl::ParseAttrs(attrs, attrs_len, table, IFLA_MAX)) return false;
  Link link;
  link.index = static_cast<uint32_t>(header.ifi_index);
  link.flags = header.ifi_flags;
  if (!table[IFLA_IFNAME].String(&link.name)) return false;
  if (table[IFLA_LINKINFO].present()) {
    nl::Attr info[IFLA_INFO_MAX + 1] = {};
    if (!nl::ParseNested(table[IFLA_LINKINFO], info, IFLA_INFO_MAX)) return false;
    if (info[IFLA_INFO_KIND].present() && !info[IFLA_INFO_KIND].String(&link.kind)) return false;
  }
  reply->links.push_back(std::move(link));
  return true;
}

bool DecodeAddress(const nl::Message& message, Reply* reply) {
  ifaddrmsg header{};
  const uint8_t* attrs = nullptr;
  size_t attrs_len = 0;
  if (!Split(message, &header, &attrs, &attrs_len)) return false;
  if (header.ifa_family != AF_INET && header.ifa_family != AF_INET6) return true;
  nl::Attr table[IFA_MAX + 1] = {};
  if (!nl::ParseAttrs(attrs, attrs_len, table, IFA_MAX)) return false;
  AddressEntry entry;
  entry.ifindex = header.ifa_index;
  entry.prefix_len = header.ifa_prefixlen;
  entry.scope = header.ifa_scope;
  // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer's on point-to-point links
  // and the same address otherwise (IPv6 sends only IFA_ADDRESS).
  const nl::Attr& own = table[IFA_LOCAL].present() ? table[IFA_LOCAL] : table[IFA_ADDRESS];
  if (!ReadAddress(own, header.ifa_family, &entry.address)) return false;
  if (table[IFA_LABEL].present() && !table[IFA_LABEL].String(&entry.label)) return false;
  reply->addresses.push_back(std::move(entry));
  return true;
}

bool DecodeRoute(const nl::Message& message, Reply* reply) {
  rtmsg header{};
  const uint8_t* attrs = nullptr;
  size_t attrs_len = 0;
  if (!Split(message, &header, &attrs, &attrs_len)) return false;
  if (header.rtm_family != AF_INET && header.rtm_family != AF_INET6) return true;
  nl::Attr table[RTA_MAX + 1] = {};
  if (!nl::ParseAttrs(attrs, attrs_len, table, RTA_MAX)) return false;
  Route route;
  route.family = header.rtm_family;
  route.dst_len = header.rtm_dst_len;
  route.type = header.rtm_type;
  route.table = header.rtm_table;
  route.dst.family = header.rtm_family;
  if (table[RTA_TABLE].present() && !table[RTA_TABLE].U32(&route.table)) return false;
  if (table[RTA_DST].present() && !ReadAddress(table[RTA_DST], header.rtm_family, &route.dst)) {
    return false;
  }
  if (table[RTA_GATEWAY].present()) {
    if (!ReadAddress(table[RTA_GATEWAY], header.rtm_family, &route.gateway)) return false;
    route.has_gateway = true;
  }
  if (table[RTA_OIF].present() && !table[RTA_OIF].U32(&route.oif)) return false;
  reply->routes.push_back(route);
  return true;
}

}  // namespace

bool DecodeMessage(const Request& request, const nl::Message& message, Reply* reply) {
  switch (request.op) {
    case Op::kGetLinks:
      return message.type != RTM_NEWLINK || DecodeLink(message, reply);
    case Op::kGetAddresses:
      return message.type != RTM_NEWADDR || DecodeAddress(message, reply);
    case Op::kGetRoutes:
      return message.type != RTM_NEWROUTE || DecodeRoute(message, reply);
    default:
      return true;  // Acks only; nothing else is expected.
  }
}

}  // namespace rtnl
