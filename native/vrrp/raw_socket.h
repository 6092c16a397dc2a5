// VRRP's socket (RFC 5798 section 5.1.1): a raw IPv4 socket for IP protocol 112, opened inside a
// network namespace like the genl socket (socket/netns.h), bound to one interface and joined to
// 224.0.0.18 there. The kernel builds the IP header: TTL 255 (multicast and unicast alike, since
// receivers drop anything else), TOS 0xc0 as keepalived sends. Received datagrams keep what the
// RFC's checks need: the TTL, the source and destination, and the interface.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "socket/netns.h"

namespace vrrp {

using Ipv4 = std::array<uint8_t, 4>;

struct Datagram {
  std::vector<uint8_t> payload;  // the IP payload: the VRRP message, at most kMaxPayload bytes
  Ipv4 source{};
  Ipv4 destination{};  // from the IP header: the group or our unicast address (v3's checksum)
  int ttl = -1;        // from IP_RECVTTL; -1 when the kernel gave none
  int ifindex = 0;     // from IP_PKTINFO
};

class RawSocket {
 public:
  // The largest VRRP message: 8 bytes, 255 addresses of 4, 8 of v2 authentication.
  static constexpr size_t kMaxPayload = 8 + 255 * 4 + 8;

  // Opens the socket inside `netns` and joins the VRRP group on `ifname` there. Throws
  // ipvs::SystemError: kNetnsEnter, or kSocket (ENODEV for an unknown interface, EPERM without
  // CAP_NET_RAW).
  RawSocket(const ipvs::NetnsFile& netns, const std::string& ifname);
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;
  ~RawSocket();

  // Waits up to `timeout` for one datagram. False on timeout. Throws SystemError: kWait or
  // kReceive, and kClosed (EBADF) when Cancel() woke it.
  bool Receive(std::chrono::milliseconds timeout, Datagram* out);
  // Sends one VRRP message to `destination` (224.0.0.18 or a unicast peer). Throws kSend.
  void Send(const uint8_t* data, size_t length, const Ipv4& destination);
  // Wakes a Receive() running on another thread; later ones fail at once. Thread-safe.
  void Cancel();

  int ifindex() const { return ifindex_; }

 private:
  int fd_ = -1;
  int wake_ = -1;  // an eventfd that Cancel() makes readable
  int ifindex_ = 0;
};

// The IP payload of a raw IPv4 datagram as received (IP header included), bounded by the header's
// own lengths; the source and destination filled from the header. False when the bytes are not an
// IPv4 header.
bool SplitIpv4(const uint8_t* data, size_t length, Datagram* out);

}  // namespace vrrp
