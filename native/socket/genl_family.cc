#include "socket/genl_family.h"

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <cerrno>
#include <string>

#include "nl/reader.h"
#include "nl/writer.h"
#include "socket/exchange.h"
#include "socket/system_error.h"

namespace ipvs {

namespace {

// The generic netlink controller's own version of its protocol.
constexpr uint8_t kCtrlVersion = 2;

class GetFamily : public ExchangeHandler {
 public:
  explicit GetFamily(const char* name) : name_(name) {}

  size_t size() const override { return 1; }
  Kind kind(size_t) const override { return Kind::kAckWithReply; }

  bool Append(size_t, uint32_t seq, nl::Writer* writer) override {
    return writer->BeginMessage(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, seq) &&
           writer->PutGenlHeader(CTRL_CMD_GETFAMILY, kCtrlVersion) &&
           writer->PutString(CTRL_ATTR_FAMILY_NAME, name_) && writer->EndMessage();
  }

  void OnMessage(size_t, const nl::Message& message) override {
    nl::GenlMessage genl;
    nl::Attr attrs[CTRL_ATTR_MAX + 1];
    if (message.type != GENL_ID_CTRL || !nl::ParseGenl(message, &genl) ||
        genl.cmd != CTRL_CMD_NEWFAMILY ||
        !nl::ParseAttrs(genl.attrs, genl.attrs_len, attrs, CTRL_ATTR_MAX)) {
      return;
    }
    has_id_ = attrs[CTRL_ATTR_FAMILY_ID].U16(&id_);
  }

  void OnRestart(size_t) override {}

  void OnComplete(size_t, int error, const std::string& message, std::optional<uint32_t>) override {
    error_ = error;
    message_ = message;
  }

  uint16_t Result() const {
    const std::string what = std::string("resolve the generic netlink family ") + name_;
    if (error_ == ENOENT) {
      throw SystemError(Step::kResolveFamily, ENOENT,
                        what + " (the kernel has no such family: is its module loaded?)");
    }
    if (error_ != 0) {
      throw SystemError(Step::kResolveFamily, error_,
                        message_.empty() ? what : what + " (" + message_ + ")");
    }
    if (!has_id_)
      throw SystemError(Step::kResolveFamily, EBADMSG,
                        what + " (the controller's reply had no family id)");
    return id_;
  }

 private:
  const char* name_;
  int error_ = ETIMEDOUT;
  std::string message_;
  bool has_id_ = false;
  uint16_t id_ = 0;
};

}  // namespace

uint16_t ResolveGenlFamily(GenlSocket* socket, const char* name,
                           std::chrono::milliseconds timeout) {
  GetFamily request(name);
  RunExchange(socket, &request, timeout);
  return request.Result();
}

}  // namespace ipvs
