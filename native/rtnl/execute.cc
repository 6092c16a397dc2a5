#include "rtnl/execute.h"

#include <linux/netlink.h>
#include <net/if.h>
#include <sys/stat.h>

#include <cerrno>
#include <memory>
#include <optional>
#include <string>

#include "rtnl/decode.h"
#include "rtnl/encode.h"
#include "rtnl/sysctl.h"
#include "socket/exchange.h"
#include "socket/genl_socket.h"
#include "socket/system_error.h"

namespace rtnl {

namespace {

// One request through the exchange: its message, and its ack or dump.
class SingleRequest : public ipvs::ExchangeHandler {
 public:
  SingleRequest(const Request& request, uint32_t ifindex, Reply* reply)
      : request_(request), ifindex_(ifindex), reply_(reply) {}

  size_t size() const override { return 1; }
  Kind kind(size_t) const override { return IsDump(request_.op) ? Kind::kDump : Kind::kAck; }
  bool Append(size_t, uint32_t seq, nl::Writer* writer) override {
    return AppendRequest(request_, ifindex_, seq, writer);
  }
  void OnMessage(size_t, const nl::Message& message) override {
    if (!DecodeMessage(request_, message, reply_)) malformed_ = true;
  }
  void OnRestart(size_t) override {
    *reply_ = Reply{};
    malformed_ = false;
  }
  void OnComplete(size_t, int error, const std::string& message,
                  std::optional<uint32_t> offset) override {
    if (error == 0 && malformed_) {
      *reply_ = Reply{};
      reply_->error = EBADMSG;
      reply_->message = "the kernel's reply could not be decoded";
      return;
    }
    if (error != 0) *reply_ = Reply{};
    reply_->error = error;
    reply_->message = message;
    if (error != 0) reply_->offset = offset;
  }

 private:
  const Request& request_;
  uint32_t ifindex_;
  Reply* reply_;
  bool malformed_ = false;
};

Reply RunSysctl(const Request& request) {
  Reply reply;
  try {
    if (request.op == Op::kReadSysctl) {
      reply.value = ReadSysctl(request.path);
    } else {
      WriteSysctl(request.path, request.value);
    }
  } catch (const ipvs::SystemError& error) {
    reply.error = error.errnum();
    reply.message = error.what();
  }
  return reply;
}

// True when `netns` is the namespace the calling thread is already in. Then there is no need to
// setns(), which needs CAP_SYS_ADMIN: an unprivileged caller can still read its own
// configuration (the checks need no privileges).
bool AlreadyInside(const ipvs::NetnsFile& netns) {
  struct stat target{}, current{};
  return ::fstat(netns.fd(), &target) == 0 && ::stat("/proc/thread-self/ns/net", &current) == 0 &&
         target.st_dev == current.st_dev && target.st_ino == current.st_ino;
}

}  // namespace

std::vector<Reply> Execute(const ipvs::NetnsFile& netns, const std::vector<Request>& requests,
                           std::chrono::milliseconds timeout) {
  std::optional<ipvs::ScopedNetns> inside;
  if (!AlreadyInside(netns)) inside.emplace(netns);
  std::unique_ptr<ipvs::GenlSocket> socket = ipvs::GenlSocket::Open(NETLINK_ROUTE);
  std::vector<Reply> replies(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    const Request& request = requests[i];
    if (IsSysctl(request.op)) {
      replies[i] = RunSysctl(request);
      continue;
    }
    uint32_t ifindex = 0;
    if (NeedsIfindex(request.op)) {
      // if_nametoindex asks through a socket of its own, created in this thread's namespace.
      ifindex = ::if_nametoindex(request.ifname.c_str());
      if (ifindex == 0) {
        replies[i].error = errno == 0 ? ENODEV : errno;
        replies[i].message = "no device " + request.ifname;
        continue;
      }
    }
    SingleRequest handler(request, ifindex, &replies[i]);
    ipvs::RunExchange(socket.get(), &handler, timeout);
  }
  return replies;
}

}  // namespace rtnl
