// IPVS objects as plain C++ structs, independent of both netlink and N-API.
//
// Byte order: ports and integers here are host order; the codec converts ports to the big-endian
// form the kernel's IPVS attributes use. Addresses are the 16 raw bytes of union nf_inet_addr
// (IPv4 in the first 4), with their family alongside.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ipvs {

struct Address {
  uint16_t family = 0;  // AF_INET or AF_INET6
  uint8_t bytes[16] = {};
};

// IPVS_STATS_ATTR_* / IPVS_STATS64_ATTR_*: counters and the estimator's rates.
struct Stats {
  uint64_t conns = 0, inpkts = 0, outpkts = 0, inbytes = 0, outbytes = 0;
  uint64_t cps = 0, inpps = 0, outpps = 0, inbps = 0, outbps = 0;
};

// What identifies a virtual service: protocol + address + port, or a firewall mark (+ family).
struct ServiceKey {
  uint16_t family = 0;    // IPVS_SVC_ATTR_AF
  uint16_t protocol = 0;  // IPPROTO_TCP / UDP / SCTP; 0 with a fwmark
  Address address;
  uint16_t port = 0;  // host order
  uint32_t fwmark = 0;
};

struct Service {
  ServiceKey key;
  std::string scheduler;  // IPVS_SVC_ATTR_SCHED_NAME
  std::string pe_name;    // IPVS_SVC_ATTR_PE_NAME ("" = none)
  uint32_t flags = 0;     // IP_VS_SVC_F_*
  uint32_t flags_mask = 0;
  uint32_t timeout = 0;  // persistence, seconds
  uint32_t netmask = 0;  // IPv4: the mask as a host-order integer; IPv6: the prefix length
  // Read back only.
  Stats stats;
};

struct Dest {
  Address address;
  uint16_t port = 0;        // host order
  uint32_t fwd_method = 0;  // IP_VS_CONN_F_MASQ / TUNNEL / DROUTE (IP_VS_CONN_F_FWD_MASK)
  int32_t weight = 0;
  uint32_t upper_threshold = 0;
  uint32_t lower_threshold = 0;
  uint8_t tun_type = 0;    // IP_VS_CONN_F_TUNNEL_TYPE_IPIP / GUE / GRE
  uint16_t tun_port = 0;   // host order
  uint16_t tun_flags = 0;  // IP_VS_TUNNEL_ENCAP_FLAG_*
  // Read back only.
  uint32_t active_conns = 0;
  uint32_t inactive_conns = 0;
  uint32_t persistent_conns = 0;
  Stats stats;
};

struct Daemon {
  uint32_t state = 0;  // IP_VS_STATE_MASTER or IP_VS_STATE_BACKUP
  std::string mcast_ifn;
  uint32_t syncid = 0;
  uint16_t sync_maxlen = 0;  // 0 = kernel default
  Address mcast_group;       // family 0 = kernel default group
  uint16_t mcast_port = 0;   // host order; 0 = default
  uint8_t mcast_ttl = 0;     // 0 = default
};

struct Timeouts {
  uint32_t tcp = 0, tcp_fin = 0, udp = 0;  // seconds; 0 in a SET means "leave unchanged"
};

struct Info {
  uint32_t version = 0;  // (major << 16) | (minor << 8) | patch
  uint32_t conn_table_size = 0;
};

enum class Command {
  kNewService,
  kSetService,
  kDelService,
  kGetService,   // one service, by key
  kGetServices,  // dump
  kNewDest,
  kSetDest,
  kDelDest,
  kGetDests,  // dump, per service
  kNewDaemon,
  kDelDaemon,
  kGetDaemons,
  kSetConfig,
  kGetConfig,
  kGetInfo,
  kZero,  // everything, or one service when has_service
  kFlush,
};

// One operation, as the addon builds it from JS on the main thread. Only the members the command
// uses are read.
struct Request {
  Command command = Command::kGetInfo;
  bool has_service = false;
  Service service;
  Dest dest;
  Daemon daemon;
  Timeouts timeouts;
};

// The kernel's answer to one Request.
struct Reply {
  int error = 0;                         // 0, or a positive errno
  std::string error_message;             // the extended ack's message, when the kernel gave one
  std::optional<uint32_t> error_offset;  // the extended ack's offset (nl::ErrorReply::offset)
  std::vector<Service> services;
  std::vector<Dest> dests;
  std::vector<Daemon> daemons;
  Timeouts timeouts;
  Info info;
};

}  // namespace ipvs
