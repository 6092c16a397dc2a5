// An address struct (ipvs::Address, rtnl::IpAddress: a family and 16 bytes) as text, the one
// conversion every reply converter uses. An unset family or bytes inet_ntop cannot print become
// "" (never undefined, never garbage), which TypeScript reads as "no address".
#pragma once

#include <arpa/inet.h>
#include <sys/socket.h>

#include <string>

namespace addon {

template <typename Address>
std::string AddressText(const Address& address) {
  char text[INET6_ADDRSTRLEN] = "";
  if (address.family != AF_INET && address.family != AF_INET6) return {};
  if (inet_ntop(address.family, address.bytes, text, sizeof text) == nullptr) return {};
  return text;
}

}  // namespace addon
