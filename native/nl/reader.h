// Length-checked netlink readers: messages in a receive buffer, TLV attributes, and typed values.
//
// Nothing here trusts a length field: every header is checked against the bytes that are really
// there, and a malformed buffer ends iteration with ok() == false instead of reading past it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

struct nlmsghdr;

namespace nl {

// One attribute: its type (without the NESTED / NET_BYTEORDER flag bits) and payload.
struct Attr {
  uint16_t type = 0;
  const uint8_t* data = nullptr;
  size_t len = 0;

  bool present() const { return data != nullptr; }
  // Each typed read succeeds only when the payload has exactly (or, for strings, at least) the
  // size it needs.
  bool U8(uint8_t* out) const;
  bool U16(uint16_t* out) const;
  bool U32(uint32_t* out) const;
  bool U64(uint64_t* out) const;
  bool Be16(uint16_t* host_order_out) const;
  // A string attribute: up to the first NUL, or the whole payload if there is none.
  bool String(std::string* out) const;
};

// Iterates the attributes in [data, data + len).
class AttrIterator {
 public:
  AttrIterator(const uint8_t* data, size_t len) : cursor_(data), end_(data + len) {}
  explicit AttrIterator(const Attr& nested) : AttrIterator(nested.data, nested.len) {}

  // Next attribute, or false at the end or on a malformed header (then ok() is false).
  bool Next(Attr* out);
  bool ok() const { return ok_; }

 private:
  const uint8_t* cursor_;
  const uint8_t* end_;
  bool ok_ = true;
};

// Fills table[type] for every attribute with type <= max_type; other types are skipped, so that
// attributes added by newer kernels never break an older reader. Returns false when malformed.
bool ParseAttrs(const uint8_t* data, size_t len, Attr* table, size_t max_type);
inline bool ParseNested(const Attr& nested, Attr* table, size_t max_type) {
  return ParseAttrs(nested.data, nested.len, table, max_type);
}

// One netlink message inside a receive buffer.
struct Message {
  uint16_t type = 0;
  uint16_t flags = 0;
  uint32_t seq = 0;
  uint32_t port_id = 0;
  const uint8_t* payload = nullptr;
  size_t payload_len = 0;
};

// Iterates the messages in a buffer returned by one recvmsg().
class MessageIterator {
 public:
  MessageIterator(const uint8_t* data, size_t len) : cursor_(data), end_(data + len) {}
  bool Next(Message* out);
  bool ok() const { return ok_; }

 private:
  const uint8_t* cursor_;
  const uint8_t* end_;
  bool ok_ = true;
};

// NLMSG_ERROR: an ack (error == 0) or a refusal (a positive errno), with the extended ack's
// message and offset when the kernel sent them (NETLINK_EXT_ACK).
struct ErrorReply {
  int error = 0;
  uint32_t request_seq = 0;
  std::string ext_message;
  // NLMSGERR_ATTR_OFFS: bytes from the start of the refused message (its nlmsghdr) to the
  // attribute the kernel blames. Set only with an error, and only by paths that name one.
  std::optional<uint32_t> offset;
};
bool ParseError(const Message& message, ErrorReply* out);

// NLMSG_DONE carries the dump's final status as an int (0, or a negative errno).
bool ParseDone(const Message& message, int* error_out);

// A generic netlink message: its command and the attributes after the genl header.
struct GenlMessage {
  uint8_t cmd = 0;
  uint8_t version = 0;
  const uint8_t* attrs = nullptr;
  size_t attrs_len = 0;
};
bool ParseGenl(const Message& message, GenlMessage* out);

}  // namespace nl
