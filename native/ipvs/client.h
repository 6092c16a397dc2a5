// An IPVS generic netlink client: one socket, opened in a network namespace, the family resolved
// once, and batches of requests executed with one sendmsg per chunk.
//
// Thread use: Open() and Execute() do blocking I/O. Open() and large or possibly slow exchanges
// run on a worker thread; small ones the kernel answers within sendmsg() may run on the JS thread
// (addon/inline_policy.h). One Execute() at a time; Cancel() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "ipvs/types.h"
#include "socket/genl_socket.h"
#include "socket/netns.h"

namespace ipvs {

class Client {
 public:
  // Opens the socket with the calling thread switched into `netns` (and back), sets
  // NETLINK_CAP_ACK and NETLINK_EXT_ACK, sizes the buffers, and resolves the "IPVS" family.
  // Throws SystemError (ENOENT when the kernel has no IPVS family, EPERM without CAP_NET_ADMIN).
  static std::unique_ptr<Client> Open(const NetnsFile& netns);
  ~Client();

  // Executes requests in order and returns one Reply per request, in the same order. A refused
  // request does not stop the rest (the kernel applies each message independently). When the
  // kernel sends nothing for `timeout`, requests still unanswered get ETIMEDOUT; after Cancel(),
  // ECANCELED. A reply lost to
  // receive-buffer overrun is reported as ENOBUFS for its request (dumps are retried instead).
  // Throws SystemError only when the socket itself fails.
  std::vector<Reply> Execute(const std::vector<Request>& requests,
                             std::chrono::milliseconds timeout);

  // Wakes a running Execute(), which then answers every unanswered request with ECANCELED.
  void Cancel();

  // Reads a file below /proc/net (e.g. "ip_vs_conn") as seen from this client's namespace.
  std::string ReadProcNet(const char* name);

  uint16_t family_id() const { return family_id_; }
  GenlSocket::Counters counters() const { return socket_->counters(); }

 private:
  Client(std::unique_ptr<GenlSocket> socket, NetnsFile netns, uint16_t family_id);
  std::unique_ptr<GenlSocket> socket_;
  NetnsFile netns_;
  uint16_t family_id_;
};

// Encodes one request as the netlink message IPVS expects (exposed for golden-bytes tests).
// Returns false when it does not fit in `capacity` bytes.
bool EncodeRequest(const Request& request, uint16_t family_id, uint32_t seq,
                   std::vector<uint8_t>* out, size_t capacity = 4096);

}  // namespace ipvs
