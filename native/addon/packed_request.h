// Requests cross from JS as fixed-size binary records in one buffer (lib/kernel/request-records.ts
// writes them), not as objects: reading a JS object field by field through N-API cost about 2.5 µs
// per operation on the host, more than the kernel spends on it. A record is this struct's bytes, in
// host byte order; the JS side learns the offsets from RequestLayoutToJs, so the two cannot drift.
//
// Nothing in a record is trusted: text lengths are checked against their fields, addresses must
// parse for their family, and the command must be known. A bad record throws a TypeError.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "addon/packed_record.h"
#include "ipvs/types.h"

namespace addon {

struct PackedService {
  uint16_t family, protocol, port, reserved;
  uint32_t fwmark, flags, flags_mask, timeout, netmask;
  PackedText<48> address;  // text form; length 0 = unset
  PackedText<16> scheduler;
  PackedText<16> pe_name;
};

struct PackedDest {
  uint16_t family, port;
  uint32_t fwd_method;
  int32_t weight;
  uint32_t upper_threshold, lower_threshold;
  uint16_t tun_port, tun_flags;
  uint8_t tun_type, reserved[3];
  PackedText<48> address;
};

struct PackedDaemon {
  uint32_t state, syncid;
  uint16_t sync_maxlen, mcast_family, mcast_port;
  uint8_t mcast_ttl, reserved;
  PackedText<16> mcast_ifn;
  PackedText<48> mcast_group;
};

struct PackedTimeouts {
  uint32_t tcp, tcp_fin, udp;
};

// Which of the parts below a record carries.
enum PackedPart : uint32_t {
  kPackedService = 1,
  kPackedDest = 2,
  kPackedDaemon = 4,
  kPackedTimeouts = 8,
};

struct PackedRequest {
  uint32_t command;
  uint32_t parts;  // PackedPart bits
  PackedService service;
  PackedDest dest;
  PackedDaemon daemon;
  PackedTimeouts timeouts;
};

// Reads `count` records from `data` (any alignment). Throws a RecordError naming the record and
// field of anything invalid. Needs no JS: a worker thread may call it.
std::vector<ipvs::Request> RequestsFromPacked(const uint8_t* data, uint32_t count);

// Reads (buffer, count) arguments: a Uint8Array of packed records and how many it holds. Throws a
// TypeError naming the record and field of anything invalid.
std::vector<ipvs::Request> RequestsFromPackedArgs(const Napi::Value& buffer,
                                                  const Napi::Value& count);

// { size, command, parts, service: { family: offset, ... }, dest: {...}, ... } for the packer.
Napi::Object RequestLayoutToJs(Napi::Env env);

}  // namespace addon
