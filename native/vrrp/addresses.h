// The fixed-size addresses VRRP's sockets and announcements carry, in network byte order.
#pragma once

#include <array>
#include <cstdint>

namespace vrrp {

using Ipv4 = std::array<uint8_t, 4>;
using Ipv6 = std::array<uint8_t, 16>;
using Mac = std::array<uint8_t, 6>;  // an Ethernet (EUI-48) hardware address

enum class Family { kIpv4, kIpv6 };

// An address of either family: the first 4 bytes for IPv4.
struct IpAddress {
  Family family = Family::kIpv4;
  Ipv6 bytes{};
};

}  // namespace vrrp
