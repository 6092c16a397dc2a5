// Attribute order and content follow ipvsadm 1.31's libipvs (as built against libnl 3.7, which
// sets NLA_F_NESTED on nests as nl::Writer does), so that golden captures of ipvsadm compare byte
// for byte (apart from nlmsg_seq and nlmsg_pid). Deliberate differences:
//
// - Commands that only identify a service (DEL_SERVICE, GET_SERVICE, ZERO, and the service of
//   every destination command) carry its key attributes alone: ip_vs_genl_parse_service reads
//   nothing else unless full_entry, and what ipvsadm adds there (an empty scheduler, flags
//   {0, ~0}, timeout 0, a netmask) is whatever its command line left in them. Likewise DEL_DEST's
//   destination is ADDR_FAMILY, ADDR and PORT only.
// - Dumps are NLM_F_REQUEST | NLM_F_DUMP, without the NLM_F_ACK that libnl adds (the kernel sends
//   no ack for a dump that starts). Every other request asks for an ack, as libnl does, so that
//   each one ends with exactly one NLMSG_ERROR whether or not it also has a reply.
#include "ipvs/encode.h"

#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include "ipvs/client.h"

namespace ipvs {

namespace {

// union nf_inet_addr: the kernel copies up to 16 bytes and ipvsadm always sends all 16.
constexpr size_t kInetAddrLen = sizeof(Address::bytes);

bool PutServiceKey(const ServiceKey& key, nl::Writer* w) {
  bool ok = w->PutU16(IPVS_SVC_ATTR_AF, key.family);
  if (key.fwmark != 0) {
    ok = ok && w->PutU32(IPVS_SVC_ATTR_FWMARK, key.fwmark);
  } else {
    ok = ok && w->PutU16(IPVS_SVC_ATTR_PROTOCOL, key.protocol) &&
         w->PutBytes(IPVS_SVC_ATTR_ADDR, key.address.bytes, kInetAddrLen) &&
         w->PutBe16(IPVS_SVC_ATTR_PORT, key.port);
  }
  return ok;
}

// The kernel reads NETMASK with nla_get_be32. For IPv4 it is a real mask in network order; for
// IPv6 it compares the raw value with 1..128, so the prefix length goes in host order (as
// ipvsadm sends it).
bool PutNetmask(const Service& service, nl::Writer* w) {
  if (service.key.family == AF_INET6) return w->PutU32(IPVS_SVC_ATTR_NETMASK, service.netmask);
  return w->PutBe32(IPVS_SVC_ATTR_NETMASK, service.netmask);
}

bool PutService(const Service& service, bool full_entry, nl::Writer* w) {
  const size_t nest = w->BeginNested(IPVS_CMD_ATTR_SERVICE);
  bool ok = nest != nl::Writer::kNoNest && PutServiceKey(service.key, w);
  if (full_entry) {
    const ip_vs_flags flags{service.flags, service.flags_mask};
    ok = ok && w->PutString(IPVS_SVC_ATTR_SCHED_NAME, service.scheduler);
    if (!service.pe_name.empty()) ok = ok && w->PutString(IPVS_SVC_ATTR_PE_NAME, service.pe_name);
    ok = ok && w->PutBytes(IPVS_SVC_ATTR_FLAGS, &flags, sizeof flags) &&
         w->PutU32(IPVS_SVC_ATTR_TIMEOUT, service.timeout) && PutNetmask(service, w);
  }
  return ok && w->EndNested(nest);
}

// A destination without a family of its own has the service's (what the kernel assumes too).
bool PutDest(const Dest& dest, uint16_t service_family, bool full_entry, nl::Writer* w) {
  const uint16_t family = dest.address.family != 0 ? dest.address.family : service_family;
  const size_t nest = w->BeginNested(IPVS_CMD_ATTR_DEST);
  bool ok = nest != nl::Writer::kNoNest && w->PutU16(IPVS_DEST_ATTR_ADDR_FAMILY, family) &&
            w->PutBytes(IPVS_DEST_ATTR_ADDR, dest.address.bytes, kInetAddrLen) &&
            w->PutBe16(IPVS_DEST_ATTR_PORT, dest.port);
  if (full_entry) {
    ok = ok && w->PutU32(IPVS_DEST_ATTR_FWD_METHOD, dest.fwd_method & IP_VS_CONN_F_FWD_MASK) &&
         w->PutU32(IPVS_DEST_ATTR_WEIGHT, static_cast<uint32_t>(dest.weight)) &&
         w->PutU8(IPVS_DEST_ATTR_TUN_TYPE, dest.tun_type) &&
         w->PutBe16(IPVS_DEST_ATTR_TUN_PORT, dest.tun_port) &&
         w->PutU16(IPVS_DEST_ATTR_TUN_FLAGS, dest.tun_flags) &&
         w->PutU32(IPVS_DEST_ATTR_U_THRESH, dest.upper_threshold) &&
         w->PutU32(IPVS_DEST_ATTR_L_THRESH, dest.lower_threshold);
  }
  return ok && w->EndNested(nest);
}

// NEW_DAEMON: the three attributes the kernel requires, then only the optional ones that are set
// (absent means the kernel's default).
bool PutDaemon(const Daemon& daemon, bool full_entry, nl::Writer* w) {
  const size_t nest = w->BeginNested(IPVS_CMD_ATTR_DAEMON);
  bool ok = nest != nl::Writer::kNoNest && w->PutU32(IPVS_DAEMON_ATTR_STATE, daemon.state) &&
            w->PutString(IPVS_DAEMON_ATTR_MCAST_IFN, daemon.mcast_ifn) &&
            w->PutU32(IPVS_DAEMON_ATTR_SYNC_ID, daemon.syncid);
  if (full_entry) {
    if (daemon.sync_maxlen != 0) {
      ok = ok && w->PutU16(IPVS_DAEMON_ATTR_SYNC_MAXLEN, daemon.sync_maxlen);
    }
    if (daemon.mcast_port != 0)
      ok = ok && w->PutU16(IPVS_DAEMON_ATTR_MCAST_PORT, daemon.mcast_port);
    if (daemon.mcast_ttl != 0) ok = ok && w->PutU8(IPVS_DAEMON_ATTR_MCAST_TTL, daemon.mcast_ttl);
    if (daemon.mcast_group.family == AF_INET6) {
      ok = ok && w->PutBytes(IPVS_DAEMON_ATTR_MCAST_GROUP6, daemon.mcast_group.bytes, 16);
    } else if (daemon.mcast_group.family == AF_INET) {
      // nla_get_in_addr: the four address bytes as they are (network order).
      ok = ok && w->PutBytes(IPVS_DAEMON_ATTR_MCAST_GROUP, daemon.mcast_group.bytes, 4);
    }
  }
  return ok && w->EndNested(nest);
}

// SET_CONFIG: all three, as ipvsadm sends them; the kernel leaves a timeout of 0 unchanged.
bool PutTimeouts(const Timeouts& timeouts, nl::Writer* w) {
  return w->PutU32(IPVS_CMD_ATTR_TIMEOUT_TCP, timeouts.tcp) &&
         w->PutU32(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, timeouts.tcp_fin) &&
         w->PutU32(IPVS_CMD_ATTR_TIMEOUT_UDP, timeouts.udp);
}

struct CommandInfo {
  uint8_t genl_cmd;
  bool known;
};

CommandInfo GenlCommand(Command command) {
  switch (command) {
    case Command::kNewService:
      return {IPVS_CMD_NEW_SERVICE, true};
    case Command::kSetService:
      return {IPVS_CMD_SET_SERVICE, true};
    case Command::kDelService:
      return {IPVS_CMD_DEL_SERVICE, true};
    case Command::kGetService:
    case Command::kGetServices:
      return {IPVS_CMD_GET_SERVICE, true};
    case Command::kNewDest:
      return {IPVS_CMD_NEW_DEST, true};
    case Command::kSetDest:
      return {IPVS_CMD_SET_DEST, true};
    case Command::kDelDest:
      return {IPVS_CMD_DEL_DEST, true};
    case Command::kGetDests:
      return {IPVS_CMD_GET_DEST, true};
    case Command::kNewDaemon:
      return {IPVS_CMD_NEW_DAEMON, true};
    case Command::kDelDaemon:
      return {IPVS_CMD_DEL_DAEMON, true};
    case Command::kGetDaemons:
      return {IPVS_CMD_GET_DAEMON, true};
    case Command::kSetConfig:
      return {IPVS_CMD_SET_CONFIG, true};
    case Command::kGetConfig:
      return {IPVS_CMD_GET_CONFIG, true};
    case Command::kGetInfo:
      return {IPVS_CMD_GET_INFO, true};
    case Command::kZero:
      return {IPVS_CMD_ZERO, true};
    case Command::kFlush:
      return {IPVS_CMD_FLUSH, true};
  }
  return {IPVS_CMD_UNSPEC, false};
}

bool PutAttributes(const Request& request, nl::Writer* w) {
  const Service& service = request.service;
  const uint16_t service_family = service.key.family;
  switch (request.command) {
    case Command::kNewService:
    case Command::kSetService:
      return PutService(service, /*full_entry=*/true, w);
    case Command::kDelService:
    case Command::kGetService:
    case Command::kGetDests:
      return PutService(service, /*full_entry=*/false, w);
    case Command::kNewDest:
    case Command::kSetDest:
      return PutService(service, false, w) && PutDest(request.dest, service_family, true, w);
    case Command::kDelDest:
      return PutService(service, false, w) && PutDest(request.dest, service_family, false, w);
    case Command::kNewDaemon:
      return PutDaemon(request.daemon, /*full_entry=*/true, w);
    case Command::kDelDaemon:
      return PutDaemon(request.daemon, /*full_entry=*/false, w);
    case Command::kSetConfig:
      return PutTimeouts(request.timeouts, w);
    case Command::kZero:
      return !request.has_service || PutService(service, false, w);
    case Command::kGetServices:
    case Command::kGetDaemons:
    case Command::kGetConfig:
    case Command::kGetInfo:
    case Command::kFlush:
      return true;
  }
  return false;
}

}  // namespace

bool IsDumpCommand(Command command) {
  return command == Command::kGetServices || command == Command::kGetDests ||
         command == Command::kGetDaemons;
}

bool AppendRequest(const Request& request, uint16_t family_id, uint32_t seq, nl::Writer* writer) {
  const CommandInfo info = GenlCommand(request.command);
  if (!info.known) return false;
  const uint16_t flags =
      IsDumpCommand(request.command) ? (NLM_F_REQUEST | NLM_F_DUMP) : (NLM_F_REQUEST | NLM_F_ACK);
  const size_t mark = writer->Mark();
  const bool ok = writer->BeginMessage(family_id, flags, seq) &&
                  writer->PutGenlHeader(info.genl_cmd, IPVS_GENL_VERSION) &&
                  PutAttributes(request, writer) && writer->EndMessage();
  if (!ok) writer->Rewind(mark);
  return ok;
}

bool EncodeRequest(const Request& request, uint16_t family_id, uint32_t seq,
                   std::vector<uint8_t>* out, size_t capacity) {
  nl::Writer writer(capacity);
  if (!AppendRequest(request, family_id, seq, &writer)) return false;
  out->assign(writer.data(), writer.data() + writer.size());
  return true;
}

}  // namespace ipvs
