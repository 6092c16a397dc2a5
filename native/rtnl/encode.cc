#include "rtnl/encode.h"

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

namespace rtnl {

namespace {

constexpr uint16_t kAckRequest = NLM_F_REQUEST | NLM_F_ACK;

size_t AddressLength(uint8_t family) {
  return family == AF_INET6 ? 16 : 4;
}

bool AppendLink(const Request& request, uint32_t seq, nl::Writer* writer) {
  // `ip link set DEV up` resolves the name first and sends only the index; we send the name
  // (ifi_index 0, IFLA_IFNAME), which the kernel looks up itself, saving a round trip.
  const bool ensure = request.op == Op::kEnsureIpip;
  // Ensuring tunl0 is `ip link add tunl0 type ipip` without NLM_F_EXCL: when the ipip module is
  // missing, the kernel loads it (request_module("rtnl-link-ipip")), which creates tunl0 in every
  // namespace, and then replays the request; it finds tunl0 and only changes its flags.
  const uint16_t flags = ensure ? kAckRequest | NLM_F_CREATE : kAckRequest;
  ifinfomsg header{};
  header.ifi_family = AF_UNSPEC;
  header.ifi_change = IFF_UP;
  header.ifi_flags = request.op == Op::kSetLinkDown ? 0 : IFF_UP;
  if (!writer->BeginMessage(RTM_NEWLINK, flags, seq) ||
      !writer->PutFixedHeader(&header, sizeof header) ||
      !writer->PutString(IFLA_IFNAME, request.ifname)) {
    return false;
  }
  if (ensure) {
    const size_t info = writer->BeginNested(IFLA_LINKINFO);
    if (info == nl::Writer::kNoNest || !writer->PutBytes(IFLA_INFO_KIND, "ipip", 4) ||
        !writer->EndNested(info)) {
      return false;
    }
  }
  return writer->EndMessage();
}

bool AppendAddress(const Request& request, uint32_t ifindex, uint32_t seq, nl::Writer* writer) {
  const bool add = request.op == Op::kAddAddress;
  // As `ip addr add`: create, and refuse an address that is already there (EEXIST), so that a
  // preparation knows whether it added the address and must remove it on undo.
  const uint16_t flags = add ? kAckRequest | NLM_F_CREATE | NLM_F_EXCL : kAckRequest;
  ifaddrmsg header{};
  header.ifa_family = request.address.family;
  header.ifa_prefixlen = request.prefix_len;
  // No duplicate address detection for an IPv6 VIP (`ip addr add ... nodad`): the director has
  // the same address by design. Deleting ignores it, and `ip addr del` does not send it.
  header.ifa_flags = add && request.address.family == AF_INET6 ? IFA_F_NODAD : 0;
  header.ifa_scope = RT_SCOPE_UNIVERSE;
  header.ifa_index = ifindex;
  const size_t len = AddressLength(request.address.family);
  if (!writer->BeginMessage(add ? RTM_NEWADDR : RTM_DELADDR, flags, seq) ||
      !writer->PutFixedHeader(&header, sizeof header) ||
      !writer->PutBytes(IFA_LOCAL, request.address.bytes, len)) {
    return false;
  }
  if (!request.label.empty() && !writer->PutString(IFA_LABEL, request.label)) return false;
  return writer->PutBytes(IFA_ADDRESS, request.address.bytes, len) && writer->EndMessage();
}

// Dumps carry only the family; filtering (by table, by device) happens on our side, which keeps
// the requests valid on kernels with and without strict checking.
template <typename Header>
bool AppendDump(uint16_t type, const Header& header, uint32_t seq, nl::Writer* writer) {
  return writer->BeginMessage(type, NLM_F_REQUEST | NLM_F_DUMP, seq) &&
         writer->PutFixedHeader(&header, sizeof header) && writer->EndMessage();
}

}  // namespace

bool AppendRequest(const Request& request, uint32_t ifindex, uint32_t seq, nl::Writer* writer) {
  switch (request.op) {
    case Op::kSetLinkUp:
    case Op::kSetLinkDown:
    case Op::kEnsureIpip:
      return AppendLink(request, seq, writer);
    case Op::kAddAddress:
    case Op::kDelAddress:
      return AppendAddress(request, ifindex, seq, writer);
    case Op::kGetLinks: {
      ifinfomsg header{};
      return AppendDump(RTM_GETLINK, header, seq, writer);
    }
    case Op::kGetAddresses: {
      ifaddrmsg header{};
      return AppendDump(RTM_GETADDR, header, seq, writer);
    }
    case Op::kGetRoutes: {
      rtmsg header{};
      header.rtm_family = request.family;
      return AppendDump(RTM_GETROUTE, header, seq, writer);
    }
    case Op::kReadSysctl:
    case Op::kWriteSysctl:
      return false;
  }
  return false;
}

bool EncodeRequest(const Request& request, uint32_t ifindex, uint32_t seq,
                   std::vector<uint8_t>* out) {
  nl::Writer writer(4096);
  if (!AppendRequest(request, ifindex, seq, &writer)) return false;
  out->assign(writer.data(), writer.data() + writer.size());
  return true;
}

}  // namespace rtnl
