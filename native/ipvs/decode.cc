#include "ipvs/decode.h"

#include <arpa/inet.h>
#include <linux/ip_vs.h>
#include <sys/socket.h>

#include <cstring>
#include <utility>

namespace ipvs {

namespace {

// IPVS_SVC_ATTR_ADDR / IPVS_DEST_ATTR_ADDR: union nf_inet_addr, 16 bytes from the kernel. An
// IPv4 address may come as its 4 bytes alone; anything else is malformed.
bool ReadAddress(const nl::Attr& attr, uint16_t family, Address* out) {
  if (!attr.present()) return false;
  const size_t needed = family == AF_INET6 ? 16 : 4;
  if (attr.len < needed || attr.len > sizeof out->bytes) return false;
  *out = Address{};
  out->family = family;
  std::memcpy(out->bytes, attr.data, needed);
  return true;
}

bool ReadU32As64(const nl::Attr& attr, uint64_t* out) {
  uint32_t value;
  if (!attr.U32(&value)) return false;
  *out = value;
  return true;
}

// STATS64 has every counter as a u64. The older STATS nest has u32 counters and rates except
// the byte counters, which are u64 there too.
bool DecodeStatsNest(const nl::Attr& nest, bool wide, Stats* out) {
  nl::Attr a[IPVS_STATS_ATTR_MAX + 1];
  if (!nl::ParseNested(nest, a, IPVS_STATS_ATTR_MAX)) return false;
  auto narrow_or_wide = [wide](const nl::Attr& attr, uint64_t* value) {
    return wide ? attr.U64(value) : ReadU32As64(attr, value);
  };
  return narrow_or_wide(a[IPVS_STATS_ATTR_CONNS], &out->conns) &&
         narrow_or_wide(a[IPVS_STATS_ATTR_INPKTS], &out->inpkts) &&
         narrow_or_wide(a[IPVS_STATS_ATTR_OUTPKTS], &out->outpkts) &&
         a[IPVS_STATS_ATTR_INBYTES].U64(&out->inbytes) &&
         a[IPVS_STATS_ATTR_OUTBYTES].U64(&out->outbytes) &&
         narrow_or_wide(a[IPVS_STATS_ATTR_CPS], &out->cps) &&
         narrow_or_wide(a[IPVS_STATS_ATTR_INPPS], &out->inpps) &&
         narrow_or_wide(a[IPVS_STATS_ATTR_OUTPPS], &out->outpps) &&
         narrow_or_wide(a[IPVS_STATS_ATTR_INBPS], &out->inbps) &&
         narrow_or_wide(a[IPVS_STATS_ATTR_OUTBPS], &out->outbps);
}

// The 64-bit nest when the kernel sends it (3.19+), else the 32-bit one; none at all is zeros.
bool DecodeStats(const nl::Attr& stats64, const nl::Attr& stats32, Stats* out) {
  *out = Stats{};
  if (stats64.present()) return DecodeStatsNest(stats64, /*wide=*/true, out);
  if (stats32.present()) return DecodeStatsNest(stats32, /*wide=*/false, out);
  return true;
}

// The one nested attribute `type` at the top level of a reply.
bool TopLevelNest(const nl::GenlMessage& message, uint16_t type, nl::Attr* out) {
  nl::Attr top[IPVS_CMD_ATTR_MAX + 1];
  if (!nl::ParseAttrs(message.attrs, message.attrs_len, top, IPVS_CMD_ATTR_MAX)) return false;
  *out = top[type];
  return out->present();
}

}  // namespace

bool DecodeService(const nl::GenlMessage& message, Service* out) {
  nl::Attr nest;
  nl::Attr a[IPVS_SVC_ATTR_MAX + 1];
  if (message.cmd != IPVS_CMD_NEW_SERVICE || !TopLevelNest(message, IPVS_CMD_ATTR_SERVICE, &nest) ||
      !nl::ParseNested(nest, a, IPVS_SVC_ATTR_MAX)) {
    return false;
  }
  *out = Service{};
  ServiceKey& key = out->key;
  if (!a[IPVS_SVC_ATTR_AF].U16(&key.family)) return false;
  if (a[IPVS_SVC_ATTR_FWMARK].present()) {
    if (!a[IPVS_SVC_ATTR_FWMARK].U32(&key.fwmark)) return false;
    key.address.family = key.family;
  } else if (!a[IPVS_SVC_ATTR_PROTOCOL].U16(&key.protocol) ||
             !ReadAddress(a[IPVS_SVC_ATTR_ADDR], key.family, &key.address) ||
             !a[IPVS_SVC_ATTR_PORT].Be16(&key.port)) {
    return false;
  }

  ip_vs_flags flags;
  const nl::Attr& flags_attr = a[IPVS_SVC_ATTR_FLAGS];
  if (!flags_attr.present() || flags_attr.len != sizeof flags) return false;
  std::memcpy(&flags, flags_attr.data, sizeof flags);
  out->flags = flags.flags;
  out->flags_mask = flags.mask;

  // NETMASK is the kernel's raw __be32: a network-order mask for IPv4, a plain prefix length for
  // IPv6 (see encode.cc).
  uint32_t raw_netmask;
  if (!a[IPVS_SVC_ATTR_SCHED_NAME].String(&out->scheduler) ||
      !a[IPVS_SVC_ATTR_TIMEOUT].U32(&out->timeout) || !a[IPVS_SVC_ATTR_NETMASK].U32(&raw_netmask)) {
    return false;
  }
  out->netmask = key.family == AF_INET6 ? raw_netmask : ntohl(raw_netmask);
  if (a[IPVS_SVC_ATTR_PE_NAME].present() && !a[IPVS_SVC_ATTR_PE_NAME].String(&out->pe_name)) {
    return false;
  }
  return DecodeStats(a[IPVS_SVC_ATTR_STATS64], a[IPVS_SVC_ATTR_STATS], &out->stats);
}

bool DecodeDest(const nl::GenlMessage& message, uint16_t service_family, Dest* out) {
  nl::Attr nest;
  nl::Attr a[IPVS_DEST_ATTR_MAX + 1];
  if (message.cmd != IPVS_CMD_NEW_DEST || !TopLevelNest(message, IPVS_CMD_ATTR_DEST, &nest) ||
      !nl::ParseNested(nest, a, IPVS_DEST_ATTR_MAX)) {
    return false;
  }
  *out = Dest{};
  uint16_t family = service_family;
  if (a[IPVS_DEST_ATTR_ADDR_FAMILY].present() && !a[IPVS_DEST_ATTR_ADDR_FAMILY].U16(&family)) {
    return false;
  }
  uint32_t weight;
  if (!ReadAddress(a[IPVS_DEST_ATTR_ADDR], family, &out->address) ||
      !a[IPVS_DEST_ATTR_PORT].Be16(&out->port) ||
      !a[IPVS_DEST_ATTR_FWD_METHOD].U32(&out->fwd_method) ||
      !a[IPVS_DEST_ATTR_WEIGHT].U32(&weight) ||
      !a[IPVS_DEST_ATTR_U_THRESH].U32(&out->upper_threshold) ||
      !a[IPVS_DEST_ATTR_L_THRESH].U32(&out->lower_threshold) ||
      !a[IPVS_DEST_ATTR_ACTIVE_CONNS].U32(&out->active_conns) ||
      !a[IPVS_DEST_ATTR_INACT_CONNS].U32(&out->inactive_conns) ||
      !a[IPVS_DEST_ATTR_PERSIST_CONNS].U32(&out->persistent_conns)) {
    return false;
  }
  out->fwd_method &= IP_VS_CONN_F_FWD_MASK;
  out->weight = static_cast<int32_t>(weight);
  // Tunnel attributes exist since 5.3; absent means an IPIP tunnel, as before.
  if ((a[IPVS_DEST_ATTR_TUN_TYPE].present() && !a[IPVS_DEST_ATTR_TUN_TYPE].U8(&out->tun_type)) ||
      (a[IPVS_DEST_ATTR_TUN_PORT].present() && !a[IPVS_DEST_ATTR_TUN_PORT].Be16(&out->tun_port)) ||
      (a[IPVS_DEST_ATTR_TUN_FLAGS].present() &&
       !a[IPVS_DEST_ATTR_TUN_FLAGS].U16(&out->tun_flags))) {
    return false;
  }
  return DecodeStats(a[IPVS_DEST_ATTR_STATS64], a[IPVS_DEST_ATTR_STATS], &out->stats);
}

bool DecodeDaemon(const nl::GenlMessage& message, Daemon* out) {
  nl::Attr nest;
  nl::Attr a[IPVS_DAEMON_ATTR_MAX + 1];
  if (message.cmd != IPVS_CMD_NEW_DAEMON || !TopLevelNest(message, IPVS_CMD_ATTR_DAEMON, &nest) ||
      !nl::ParseNested(nest, a, IPVS_DAEMON_ATTR_MAX)) {
    return false;
  }
  *out = Daemon{};
  if (!a[IPVS_DAEMON_ATTR_STATE].U32(&out->state) ||
      !a[IPVS_DAEMON_ATTR_MCAST_IFN].String(&out->mcast_ifn) ||
      !a[IPVS_DAEMON_ATTR_SYNC_ID].U32(&out->syncid)) {
    return false;
  }
  // The rest came with 4.7; older kernels leave them out.
  const nl::Attr& maxlen = a[IPVS_DAEMON_ATTR_SYNC_MAXLEN];
  const nl::Attr& port = a[IPVS_DAEMON_ATTR_MCAST_PORT];
  const nl::Attr& ttl = a[IPVS_DAEMON_ATTR_MCAST_TTL];
  if ((maxlen.present() && !maxlen.U16(&out->sync_maxlen)) ||
      (port.present() && !port.U16(&out->mcast_port)) ||
      (ttl.present() && !ttl.U8(&out->mcast_ttl))) {
    return false;
  }
  const nl::Attr& group6 = a[IPVS_DAEMON_ATTR_MCAST_GROUP6];
  const nl::Attr& group4 = a[IPVS_DAEMON_ATTR_MCAST_GROUP];
  if (group6.present()) {
    if (group6.len != 16) return false;
    out->mcast_group.family = AF_INET6;
    std::memcpy(out->mcast_group.bytes, group6.data, 16);
  } else if (group4.present()) {
    if (group4.len != 4) return false;
    out->mcast_group.family = AF_INET;
    std::memcpy(out->mcast_group.bytes, group4.data, 4);
  }
  return true;
}

bool DecodeTimeouts(const nl::GenlMessage& message, Timeouts* out) {
  nl::Attr a[IPVS_CMD_ATTR_MAX + 1];
  if (message.cmd != IPVS_CMD_SET_CONFIG ||
      !nl::ParseAttrs(message.attrs, message.attrs_len, a, IPVS_CMD_ATTR_MAX)) {
    return false;
  }
  *out = Timeouts{};
  const nl::Attr& tcp = a[IPVS_CMD_ATTR_TIMEOUT_TCP];
  const nl::Attr& tcp_fin = a[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN];
  const nl::Attr& udp = a[IPVS_CMD_ATTR_TIMEOUT_UDP];
  return (!tcp.present() || tcp.U32(&out->tcp)) &&
         (!tcp_fin.present() || tcp_fin.U32(&out->tcp_fin)) &&
         (!udp.present() || udp.U32(&out->udp));
}

bool DecodeInfo(const nl::GenlMessage& message, Info* out) {
  nl::Attr a[IPVS_INFO_ATTR_MAX + 1];
  if (message.cmd != IPVS_CMD_SET_INFO ||
      !nl::ParseAttrs(message.attrs, message.attrs_len, a, IPVS_INFO_ATTR_MAX)) {
    return false;
  }
  *out = Info{};
  return a[IPVS_INFO_ATTR_VERSION].U32(&out->version) &&
         a[IPVS_INFO_ATTR_CONN_TAB_SIZE].U32(&out->conn_table_size);
}

bool DecodeReplyMessage(const Request& request, const nl::Message& message, Reply* reply) {
  nl::GenlMessage genl;
  if (!nl::ParseGenl(message, &genl)) return false;
  switch (request.command) {
    case Command::kGetService:
    case Command::kGetServices: {
      Service service;
      if (!DecodeService(genl, &service)) return false;
      reply->services.push_back(std::move(service));
      return true;
    }
    case Command::kGetDests: {
      Dest dest;
      if (!DecodeDest(genl, request.service.key.family, &dest)) return false;
      reply->dests.push_back(dest);
      return true;
    }
    case Command::kGetDaemons: {
      Daemon daemon;
      if (!DecodeDaemon(genl, &daemon)) return false;
      reply->daemons.push_back(std::move(daemon));
      return true;
    }
    case Command::kGetConfig:
      return DecodeTimeouts(genl, &reply->timeouts);
    case Command::kGetInfo:
      return DecodeInfo(genl, &reply->info);
    default:
      // The other commands are answered by an ack alone.
      return false;
  }
}

}  // namespace ipvs
