#include "ipvs/client.h"

#include <fcntl.h>
#include <linux/ip_vs.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

#include "ipvs/decode.h"
#include "ipvs/encode.h"
#include "nl/reader.h"
#include "socket/exchange.h"
#include "socket/genl_family.h"
#include "socket/genl_socket.h"
#include "socket/system_error.h"

namespace ipvs {

namespace {

constexpr std::chrono::milliseconds kOpenTimeout{5000};

// Turns one batch of requests into messages and the kernel's answers into Replies.
class RequestBatch : public ExchangeHandler {
 public:
  RequestBatch(const std::vector<Request>& requests, uint16_t family_id)
      : requests_(requests),
        family_id_(family_id),
        replies_(requests.size()),
        decoded_(requests.size(), false),
        malformed_(requests.size(), false) {}

  size_t size() const override { return requests_.size(); }

  Kind kind(size_t index) const override {
    const Command command = requests_[index].command;
    if (IsDumpCommand(command)) return Kind::kDump;
    if (command == Command::kGetService || command == Command::kGetConfig ||
        command == Command::kGetInfo) {
      return Kind::kAckWithReply;
    }
    return Kind::kAck;
  }

  bool Append(size_t index, uint32_t seq, nl::Writer* writer) override {
    return AppendRequest(requests_[index], family_id_, seq, writer);
  }

  void OnMessage(size_t index, const nl::Message& message) override {
    if (DecodeReplyMessage(requests_[index], message, &replies_[index])) {
      decoded_[index] = true;
    } else {
      malformed_[index] = true;
    }
  }

  void OnRestart(size_t index) override {
    replies_[index] = Reply{};
    decoded_[index] = false;
    malformed_[index] = false;
  }

  void OnComplete(size_t index, int error, const std::string& message,
                  std::optional<uint32_t> offset) override {
    std::string text = message;
    if (error == 0 && malformed_[index]) {
      error = EBADMSG;
      text = "the kernel's reply could not be decoded";
    } else if (error == 0 && kind(index) == Kind::kAckWithReply && !decoded_[index]) {
      error = EBADMSG;
      text = "the kernel acknowledged the request without the reply it should carry";
    }
    Reply& reply = replies_[index];
    if (error != 0) reply = Reply{};  // Never half an answer.
    reply.error = error;
    reply.error_message = std::move(text);
    if (error != 0) reply.error_offset = offset;
  }

  std::vector<Reply> TakeReplies() { return std::move(replies_); }

 private:
  const std::vector<Request>& requests_;
  uint16_t family_id_;
  std::vector<Reply> replies_;
  std::vector<bool> decoded_;
  std::vector<bool> malformed_;
};

// The calling thread's own namespace (not /proc/self: that is the main thread's).
NetnsFile CurrentThreadNetns() {
  return NetnsFile("/proc/thread-self/ns/net");
}

bool IsPlainFileName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

}  // namespace

Client::Client(std::unique_ptr<GenlSocket> socket, NetnsFile netns, uint16_t family_id)
    : socket_(std::move(socket)), netns_(std::move(netns)), family_id_(family_id) {}

Client::~Client() = default;

std::unique_ptr<Client> Client::Open(const NetnsFile& netns) {
  std::unique_ptr<GenlSocket> socket;
  NetnsFile own_netns;
  if (netns.valid()) {
    ScopedNetns inside(netns);
    socket = GenlSocket::Open();
    own_netns = CurrentThreadNetns();  // Our own descriptor of the same namespace.
  } else {
    socket = GenlSocket::Open();
    own_netns = CurrentThreadNetns();
  }

  uint16_t family_id;
  try {
    family_id = ResolveGenlFamily(socket.get(), IPVS_GENL_NAME, kOpenTimeout);
  } catch (const SystemError& error) {
    if (error.errnum() != ENOENT) throw;
    throw SystemError(Step::kResolveFamily, ENOENT,
                      "open IPVS: the kernel has no \"IPVS\" generic netlink family (the ip_vs "
                      "module is not loaded, or the kernel lacks CONFIG_IP_VS)");
  }
  std::unique_ptr<Client> client(new Client(std::move(socket), std::move(own_netns), family_id));

  // Every IPVS command needs CAP_NET_ADMIN in the initial user namespace: say so now, once,
  // rather than on each request.
  Request info;
  info.command = Command::kGetInfo;
  const Reply reply = client->Execute({info}, kOpenTimeout).front();
  if (reply.error == EPERM) {
    throw SystemError(Step::kProbe, EPERM,
                      "open IPVS: the kernel refused (IPVS needs CAP_NET_ADMIN)");
  }
  if (reply.error != 0) {
    throw SystemError(
        Step::kProbe, reply.error,
        "open IPVS: GET_INFO failed" +
            (reply.error_message.empty() ? std::string() : " (" + reply.error_message + ")"));
  }
  return client;
}

std::vector<Reply> Client::Execute(const std::vector<Request>& requests,
                                   std::chrono::milliseconds timeout) {
  RequestBatch batch(requests, family_id_);
  RunExchange(socket_.get(), &batch, timeout);
  return batch.TakeReplies();
}

void Client::Cancel() {
  socket_->Cancel();
}

std::string Client::ReadProcNet(const char* name) {
  const std::string file = name == nullptr ? std::string() : std::string(name);
  if (!IsPlainFileName(file)) throw SystemError(Step::kProcRead, EINVAL, "read /proc/net/" + file);
  const std::string path = "/proc/thread-self/net/" + file;
  ScopedNetns inside(netns_);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw SystemError(Step::kProcRead, errno, "open " + path);
  std::string contents;
  std::vector<char> buffer(64 << 10);  // Heap, not a worker thread's stack.
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n > 0) {
      contents.append(buffer.data(), static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      const int error = errno;
      ::close(fd);
      throw SystemError(Step::kProcRead, error, "read " + path);
    }
  }
  ::close(fd);
  return contents;
}

}  // namespace ipvs
