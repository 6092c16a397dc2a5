// Bounded netlink message writer: messages, the generic netlink header, and TLV attributes.
//
// Every write checks the remaining capacity first; a write that would not fit fails, marks the
// writer as overflowed and leaves the bytes already written untouched. Callers that pack many
// messages into one buffer (one sendmsg) use Mark()/Rewind() to drop a message that did not fit
// and send it in the next buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace nl {

class Writer {
 public:
  explicit Writer(size_t capacity);

  // Starts a message: struct nlmsghdr with nlmsg_len fixed up by EndMessage().
  bool BeginMessage(uint16_t type, uint16_t flags, uint32_t seq, uint32_t port_id = 0);
  // struct genlmsghdr right after the netlink header.
  bool PutGenlHeader(uint8_t cmd, uint8_t version);
  // A protocol's fixed header right after the netlink header (rtnetlink's ifinfomsg, ifaddrmsg,
  // rtmsg), copied as given.
  bool PutFixedHeader(const void* header, size_t len);
  bool EndMessage();

  // Attributes. Integers in host byte order (as netlink wants), except PutBe16/PutBe32, which take
  // a host-order value and store it big-endian (IPVS ports, addresses in network order).
  bool PutU8(uint16_t type, uint8_t value);
  bool PutU16(uint16_t type, uint16_t value);
  bool PutU32(uint16_t type, uint32_t value);
  bool PutU64(uint16_t type, uint64_t value);
  bool PutBe16(uint16_t type, uint16_t host_order_value);
  bool PutBe32(uint16_t type, uint32_t host_order_value);
  bool PutBytes(uint16_t type, const void* data, size_t len);
  // A NUL-terminated string attribute (the kernel's NLA_NUL_STRING / NLA_STRING policies).
  bool PutString(uint16_t type, std::string_view value);
  bool PutFlag(uint16_t type) { return PutBytes(type, nullptr, 0); }

  // Nested attributes: Begin returns a token for End, or kNoNest when it did not fit.
  static constexpr size_t kNoNest = SIZE_MAX;
  size_t BeginNested(uint16_t type);
  bool EndNested(size_t token);

  // Position bookkeeping for packing messages into fixed-size sendmsg buffers.
  size_t Mark() const { return size_; }
  void Rewind(size_t mark);
  void Clear() { Rewind(0); }

  bool overflowed() const { return overflowed_; }
  const uint8_t* data() const { return buffer_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }

 private:
  // Reserves `len` bytes (aligned to 4) and returns where they start, or nullptr on overflow.
  uint8_t* Reserve(size_t len);

  // Left uninitialised: Reserve() zeroes each region it hands out, so a large chunk buffer costs
  // only the pages a batch really writes (a zero-filled 2 MiB vector cost ~3 ms per exchange in
  // the lab, the whole price of an awaited call).
  std::unique_ptr<uint8_t[]> buffer_;
  size_t capacity_;
  size_t size_ = 0;
  size_t message_start_ = SIZE_MAX;
  bool overflowed_ = false;
};

}  // namespace nl
