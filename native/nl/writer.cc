#include "nl/writer.h"

#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <cstring>

namespace nl {

namespace {

constexpr size_t Align(size_t len) {
  return (len + NLA_ALIGNTO - 1) & ~size_t{NLA_ALIGNTO - 1};
}

}  // namespace

Writer::Writer(size_t capacity) : buffer_(new uint8_t[capacity]), capacity_(capacity) {}

uint8_t* Writer::Reserve(size_t len) {
  const size_t aligned = Align(len);
  if (overflowed_ || aligned > capacity_ - size_) {
    overflowed_ = true;
    return nullptr;
  }
  uint8_t* start = buffer_.get() + size_;
  // Padding is zeroed so that encodings are byte-for-byte reproducible (golden tests).
  std::memset(start, 0, aligned);
  size_ += aligned;
  return start;
}

bool Writer::BeginMessage(uint16_t type, uint16_t flags, uint32_t seq, uint32_t port_id) {
  const size_t start = size_;
  auto* header = reinterpret_cast<nlmsghdr*>(Reserve(NLMSG_HDRLEN));
  if (header == nullptr) return false;
  header->nlmsg_type = type;
  header->nlmsg_flags = flags;
  header->nlmsg_seq = seq;
  header->nlmsg_pid = port_id;
  message_start_ = start;
  return true;
}

bool Writer::PutGenlHeader(uint8_t cmd, uint8_t version) {
  auto* header = reinterpret_cast<genlmsghdr*>(Reserve(GENL_HDRLEN));
  if (header == nullptr) return false;
  header->cmd = cmd;
  header->version = version;
  return true;
}

bool Writer::PutFixedHeader(const void* header, size_t len) {
  uint8_t* start = Reserve(len);
  if (start == nullptr) return false;
  std::memcpy(start, header, len);
  return true;
}

bool Writer::EndMessage() {
  if (overflowed_ || message_start_ == SIZE_MAX) return false;
  auto* header = reinterpret_cast<nlmsghdr*>(buffer_.get() + message_start_);
  header->nlmsg_len = static_cast<uint32_t>(size_ - message_start_);
  message_start_ = SIZE_MAX;
  return true;
}

bool Writer::PutBytes(uint16_t type, const void* data, size_t len) {
  if (len > UINT16_MAX - NLA_HDRLEN) {
    overflowed_ = true;
    return false;
  }
  uint8_t* start = Reserve(NLA_HDRLEN + len);
  if (start == nullptr) return false;
  auto* attr = reinterpret_cast<nlattr*>(start);
  attr->nla_len = static_cast<uint16_t>(NLA_HDRLEN + len);
  attr->nla_type = type;
  if (len > 0) std::memcpy(start + NLA_HDRLEN, data, len);
  return true;
}

bool Writer::PutU8(uint16_t type, uint8_t value) {
  return PutBytes(type, &value, sizeof value);
}
bool Writer::PutU16(uint16_t type, uint16_t value) {
  return PutBytes(type, &value, sizeof value);
}
bool Writer::PutU32(uint16_t type, uint32_t value) {
  return PutBytes(type, &value, sizeof value);
}
bool Writer::PutU64(uint16_t type, uint64_t value) {
  return PutBytes(type, &value, sizeof value);
}

bool Writer::PutBe16(uint16_t type, uint16_t host_order_value) {
  return PutU16(type, htons(host_order_value));
}

bool Writer::PutBe32(uint16_t type, uint32_t host_order_value) {
  return PutU32(type, htonl(host_order_value));
}

bool Writer::PutString(uint16_t type, std::string_view value) {
  if (value.find('\0') != std::string_view::npos || value.size() > UINT16_MAX - NLA_HDRLEN - 1) {
    overflowed_ = true;
    return false;
  }
  uint8_t* start = Reserve(NLA_HDRLEN + value.size() + 1);
  if (start == nullptr) return false;
  auto* attr = reinterpret_cast<nlattr*>(start);
  attr->nla_len = static_cast<uint16_t>(NLA_HDRLEN + value.size() + 1);
  attr->nla_type = type;
  std::memcpy(start + NLA_HDRLEN, value.data(), value.size());
  return true;
}

size_t Writer::BeginNested(uint16_t type) {
  const size_t start = size_;
  auto* attr = reinterpret_cast<nlattr*>(Reserve(NLA_HDRLEN));
  if (attr == nullptr) return kNoNest;
  attr->nla_type = static_cast<uint16_t>(type | NLA_F_NESTED);
  return start;
}

bool Writer::EndNested(size_t token) {
  if (overflowed_ || token == kNoNest || token >= size_) return false;
  const size_t len = size_ - token;
  if (len > UINT16_MAX) {
    overflowed_ = true;
    return false;
  }
  reinterpret_cast<nlattr*>(buffer_.get() + token)->nla_len = static_cast<uint16_t>(len);
  return true;
}

void Writer::Rewind(size_t mark) {
  if (mark <= size_) size_ = mark;
  overflowed_ = false;
  if (message_start_ != SIZE_MAX && message_start_ >= size_) message_start_ = SIZE_MAX;
}

}  // namespace nl
