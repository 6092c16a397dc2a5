#include "nl/reader.h"

#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <cstring>

namespace nl {

namespace {

constexpr size_t Align(size_t len) {
  return (len + NLA_ALIGNTO - 1) & ~size_t{NLA_ALIGNTO - 1};
}

template <typename T>
bool ReadExact(const Attr& attr, T* out) {
  if (attr.data == nullptr || attr.len != sizeof(T)) return false;
  std::memcpy(out, attr.data, sizeof(T));
  return true;
}

}  // namespace

bool Attr::U8(uint8_t* out) const {
  return ReadExact(*this, out);
}
bool Attr::U16(uint16_t* out) const {
  return ReadExact(*this, out);
}
bool Attr::U32(uint32_t* out) const {
  return ReadExact(*this, out);
}
bool Attr::U64(uint64_t* out) const {
  return ReadExact(*this, out);
}

bool Attr::Be16(uint16_t* host_order_out) const {
  uint16_t raw;
  if (!ReadExact(*this, &raw)) return false;
  *host_order_out = ntohs(raw);
  return true;
}

bool Attr::String(std::string* out) const {
  if (data == nullptr) return false;
  const void* nul = std::memchr(data, '\0', len);
  const size_t n = nul ? static_cast<const uint8_t*>(nul) - data : len;
  out->assign(reinterpret_cast<const char*>(data), n);
  return true;
}

bool AttrIterator::Next(Attr* out) {
  if (!ok_ || cursor_ >= end_) return false;
  const size_t remaining = static_cast<size_t>(end_ - cursor_);
  nlattr header;
  if (remaining < NLA_HDRLEN) return ok_ = false;
  std::memcpy(&header, cursor_, sizeof header);
  if (header.nla_len < NLA_HDRLEN || header.nla_len > remaining) return ok_ = false;
  out->type = header.nla_type & NLA_TYPE_MASK;
  out->data = cursor_ + NLA_HDRLEN;
  out->len = header.nla_len - NLA_HDRLEN;
  // The last attribute may end without its padding.
  const size_t step = Align(header.nla_len);
  cursor_ = step >= remaining ? end_ : cursor_ + step;
  return true;
}

bool ParseAttrs(const uint8_t* data, size_t len, Attr* table, size_t max_type) {
  for (size_t i = 0; i <= max_type; ++i) table[i] = Attr{};
  AttrIterator it(data, len);
  Attr attr;
  while (it.Next(&attr)) {
    if (attr.type <= max_type) table[attr.type] = attr;
  }
  return it.ok();
}

bool MessageIterator::Next(Message* out) {
  if (!ok_ || cursor_ >= end_) return false;
  const size_t remaining = static_cast<size_t>(end_ - cursor_);
  nlmsghdr header;
  if (remaining < NLMSG_HDRLEN) return ok_ = false;
  std::memcpy(&header, cursor_, sizeof header);
  if (header.nlmsg_len < NLMSG_HDRLEN || header.nlmsg_len > remaining) return ok_ = false;
  out->type = header.nlmsg_type;
  out->flags = header.nlmsg_flags;
  out->seq = header.nlmsg_seq;
  out->port_id = header.nlmsg_pid;
  out->payload = cursor_ + NLMSG_HDRLEN;
  out->payload_len = header.nlmsg_len - NLMSG_HDRLEN;
  const size_t step = NLMSG_ALIGN(header.nlmsg_len);
  cursor_ = step >= remaining ? end_ : cursor_ + step;
  return true;
}

bool ParseError(const Message& message, ErrorReply* out) {
  if (message.type != NLMSG_ERROR || message.payload_len < sizeof(nlmsgerr)) return false;
  nlmsgerr err;
  std::memcpy(&err, message.payload, sizeof err);
  *out = ErrorReply{};
  out->error = -err.error;
  out->request_seq = err.msg.nlmsg_seq;
  // The echoed request follows: its header only when NLM_F_CAPPED, else the whole request.
  size_t echoed = sizeof err;
  if (!(message.flags & NLM_F_CAPPED)) {
    if (err.msg.nlmsg_len < NLMSG_HDRLEN) return true;
    echoed = sizeof(int) + NLMSG_ALIGN(err.msg.nlmsg_len);
  }
  if (!(message.flags & NLM_F_ACK_TLVS) || echoed >= message.payload_len) return true;
  Attr tlvs[NLMSGERR_ATTR_MAX + 1];
  if (!ParseAttrs(message.payload + echoed, message.payload_len - echoed, tlvs,
                  NLMSGERR_ATTR_MAX)) {
    return true;  // The error itself is valid; only its optional details are not.
  }
  tlvs[NLMSGERR_ATTR_MSG].String(&out->ext_message);
  uint32_t offset = 0;
  if (out->error != 0 && tlvs[NLMSGERR_ATTR_OFFS].U32(&offset)) out->offset = offset;
  return true;
}

bool ParseDone(const Message& message, int* error_out) {
  if (message.type != NLMSG_DONE) return false;
  int status = 0;
  if (message.payload_len >= sizeof status) std::memcpy(&status, message.payload, sizeof status);
  *error_out = -status;
  return true;
}

bool ParseGenl(const Message& message, GenlMessage* out) {
  if (message.payload_len < GENL_HDRLEN) return false;
  genlmsghdr header;
  std::memcpy(&header, message.payload, sizeof header);
  out->cmd = header.cmd;
  out->version = header.version;
  out->attrs = message.payload + GENL_HDRLEN;
  out->attrs_len = message.payload_len - GENL_HDRLEN;
  return true;
}

}  // namespace nl
