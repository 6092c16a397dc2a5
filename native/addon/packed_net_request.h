// Network-configuration requests cross from JS as fixed-size binary records, as IPVS requests do
// (packed_request.h): lib/kernel/net-request-packer.ts writes them at the offsets
// NetRequestLayoutToJs exports, so the two sides cannot drift, and nothing in a record is trusted
// here: the op must be known, texts must fit their fields, the address must parse and the prefix
// length fit its family. A bad record throws a TypeError naming the record and field.
#pragma once

#include <napi.h>

#include <cstdint>
#include <vector>

#include "addon/packed_record.h"
#include "rtnl/types.h"

namespace addon {

struct PackedNetRequest {
  uint32_t op;             // rtnl::Op, by the numbers NetRequestLayoutToJs exports under `ops`
  uint8_t family;          // getRoutes: AF_INET or AF_INET6
  uint8_t prefix_len;      // addresses
  uint8_t reserved[2];     //
  PackedText<16> ifname;   // links and addresses (IFNAMSIZ with its NUL)
  PackedText<48> address;  // addresses, as text; the family follows from it
  PackedText<16> label;    // IFA_LABEL, IPv4 only
  PackedText<128> path;    // sysctls: below /proc/sys, e.g. net/ipv4/conf/all/arp_ignore
  PackedText<128> value;   // writeSysctl
};

// Reads (buffer, count) arguments: a Uint8Array of packed records and how many it holds.
std::vector<rtnl::Request> NetRequestsFromPackedArgs(const Napi::Value& buffer,
                                                     const Napi::Value& count);

// { size, op, family, ..., capacity: { ifname: 15, ... }, ops: { getLinks: 0, ... } }.
Napi::Object NetRequestLayoutToJs(Napi::Env env);

}  // namespace addon
