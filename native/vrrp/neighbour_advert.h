// An unsolicited neighbour advertisement (RFC 4861 section 7.2.6), the IPv6 counterpart of the
// gratuitous ARP: ICMPv6 type 136 to ff02::1 with Override set and Solicited clear, the target
// the announced address, and the target link-layer address option carrying the interface's.
// Neighbours holding an entry for the target take the new link-layer address. The checksum
// stays zero: the kernel computes it for raw ICMPv6 sockets (RFC 3542 section 3.1).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "vrrp/addresses.h"

namespace vrrp {

// 4 bytes of ICMPv6 header, 4 of flags, 16 of target, 8 of the option (type 2, length 1 unit).
constexpr size_t kNeighbourAdvertLength = 32;

std::array<uint8_t, kNeighbourAdvertLength> EncodeNeighbourAdvert(const Mac& link_layer,
                                                                  const Ipv6& target);

}  // namespace vrrp
