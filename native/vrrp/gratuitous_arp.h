// A gratuitous ARP (RFC 5227 section 3's announcement, as keepalived sends it on becoming master):
// an ARP request whose sender and target protocol addresses are both the announced address and
// whose sender hardware address is the interface's, broadcast. Neighbours holding an entry for
// the address replace its link-layer address; none is created unless arp_accept is set.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "vrrp/addresses.h"

namespace vrrp {

// The ARP packet for Ethernet and IPv4 (RFC 826): the Ethernet header is the packet socket's.
constexpr size_t kArpLength = 28;

// Target hardware address ff:ff:ff:ff:ff:ff as keepalived fills it (RFC 5227 allows any value
// in a request; Linux ignores it).
std::array<uint8_t, kArpLength> EncodeGratuitousArp(const Mac& sender, const Ipv4& address);

}  // namespace vrrp
