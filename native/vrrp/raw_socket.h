// VRRP's socket (RFC 5798 section 5.1.1): a raw socket for IP protocol 112, IPv4 or IPv6, opened
// inside a network namespace like the genl socket (socket/netns.h), bound to one interface and
// joined to the group there (224.0.0.18, ff02::12). The kernel builds the IP header: TTL or hop
// limit 255 (multicast and unicast alike, since receivers drop anything else). Received datagrams
// keep what the RFC's checks need: the TTL, the source and destination, and the interface. The
// per-family setup lives in raw_socket_ipv4.cc and raw_socket_ipv6.cc. The caller computes the
// checksum for IPv4; for IPv6 the kernel does, over the source it picks (the link-local address
// for ff02::12, as RFC 5798 wants).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "socket/netns.h"
#include "vrrp/addresses.h"

namespace vrrp {

struct Datagram {
  std::vector<uint8_t> payload;  // the IP payload: the VRRP message, at most MaxPayload() bytes
  IpAddress source;
  IpAddress destination;  // the group or our unicast address (v3's checksum covers it)
  int ttl = -1;           // the TTL or hop limit; -1 when the kernel gave none
  int ifindex = 0;        // the interface it arrived on
};

class RawSocket {
 public:
  // The largest VRRP message: 8 bytes and 255 addresses, plus 8 of v2 authentication for IPv4.
  static constexpr size_t kMaxPayloadIpv4 = 8 + 255 * 4 + 8;
  static constexpr size_t kMaxPayloadIpv6 = 8 + 255 * 16;
  static constexpr size_t MaxPayload(Family family) {
    return family == Family::kIpv4 ? kMaxPayloadIpv4 : kMaxPayloadIpv6;
  }

  // Opens the socket inside `netns` and joins the VRRP group on `ifname` there. Throws
  // ipvs::SystemError: kNetnsOpen/kNetnsEnter, or kSocket (ENODEV for an unknown interface,
  // EPERM without CAP_NET_RAW).
  RawSocket(const ipvs::NetnsFile& netns, const std::string& ifname, Family family);
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;
  ~RawSocket();

  // Reads one queued datagram without waiting: false when none is queued. Throws SystemError
  // kReceive. The caller waits for readability on receive_fd() (the addon polls it on the event
  // loop, so that a waiting instance holds no thread).
  bool TryReceive(Datagram* out);
  // Sends one VRRP message to `destination` (the group or a unicast peer) of the socket's family.
  // Throws kSend.
  void Send(const uint8_t* data, size_t length, const IpAddress& destination);
  int receive_fd() const { return fd_; }
  int ifindex() const { return ifindex_; }
  Family family() const { return family_; }

 private:
  int fd_ = -1;
  int send_fd_ = -1;  // IPv6: a socket that only sends (raw_socket_ipv6.cc); IPv4: fd_
  int ifindex_ = 0;
  Family family_;
};

// The IP payload of a raw IPv4 datagram as received (IP header included), bounded by the header's
// own lengths; the source and destination filled from the header. False when the bytes are not an
// IPv4 header.
bool SplitIpv4(const uint8_t* data, size_t length, Datagram* out);

}  // namespace vrrp
