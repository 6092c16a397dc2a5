#include "vrrp/gratuitous_arp.h"

#include <algorithm>

namespace vrrp {

namespace {

constexpr uint16_t kHardwareEthernet = 1;   // ARPHRD_ETHER
constexpr uint16_t kProtocolIpv4 = 0x0800;  // ETH_P_IP
constexpr uint16_t kOperationRequest = 1;   // ARPOP_REQUEST

void Put16(uint8_t* at, uint16_t value) {
  at[0] = static_cast<uint8_t>(value >> 8);
  at[1] = static_cast<uint8_t>(value & 0xff);
}

}  // namespace

std::array<uint8_t, kArpLength> EncodeGratuitousArp(const Mac& sender, const Ipv4& address) {
  std::array<uint8_t, kArpLength> packet{};
  uint8_t* p = packet.data();
  Put16(p, kHardwareEthernet);
  Put16(p + 2, kProtocolIpv4);
  p[4] = static_cast<uint8_t>(sender.size());
  p[5] = static_cast<uint8_t>(address.size());
  Put16(p + 6, kOperationRequest);
  std::copy(sender.begin(), sender.end(), p + 8);     // sender hardware address
  std::copy(address.begin(), address.end(), p + 14);  // sender protocol address
  std::fill(p + 18, p + 24, 0xff);                    // target hardware address
  std::copy(address.begin(), address.end(), p + 24);  // target protocol address
  return packet;
}

}  // namespace vrrp
