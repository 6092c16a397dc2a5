#include "vrrp/neighbour_advert.h"

#include <algorithm>

namespace vrrp {

namespace {

constexpr uint8_t kTypeNeighbourAdvert = 136;  // ND_NEIGHBOR_ADVERT
constexpr uint8_t kFlagOverride = 0x20;        // the O bit; R (0x80) and S (0x40) clear
constexpr uint8_t kOptionTargetLinkLayer = 2;  // ND_OPT_TARGET_LINKADDR
constexpr uint8_t kOptionUnits = 1;            // 8 bytes: type, length, 6 of Ethernet address

}  // namespace

std::array<uint8_t, kNeighbourAdvertLength> EncodeNeighbourAdvert(const Mac& link_layer,
                                                                  const Ipv6& target) {
  std::array<uint8_t, kNeighbourAdvertLength> message{};
  uint8_t* p = message.data();
  p[0] = kTypeNeighbourAdvert;  // code 0, checksum 0 (the kernel's)
  p[4] = kFlagOverride;
  std::copy(target.begin(), target.end(), p + 8);
  p[24] = kOptionTargetLinkLayer;
  p[25] = kOptionUnits;
  std::copy(link_layer.begin(), link_layer.end(), p + 26);
  return message;
}

}  // namespace vrrp
