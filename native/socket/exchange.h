// The batch protocol over a GenlSocket: many requests per sendmsg, replies matched by sequence
// number, and every request ending in exactly one outcome.
//
// The kernel handles the messages of one sendmsg synchronously, in order, and queues one ack per
// message (or a dump's multipart reply, which it produces only as the receive queue drains). So
// the loop sends a chunk, then reads until every request of the chunk is answered:
//  - a chunk fits the send buffer (netlink refuses a sendmsg above sk_sndbuf - 32) and its acks
//    fit the receive buffer; a dump ends its chunk (one dump per socket at a time, else EBUSY);
//  - a reply whose sequence number is not in the current chunk is stale (from a request given up
//    on earlier) and ignored;
//  - on a receive-queue overrun (ENOBUFS) the queue is drained; requests whose ack is missing are
//    answered ENOBUFS, since the kernel may or may not have applied them, the receive buffer
//    grows and later chunks shrink. Dumps are never dropped by an overrun (the kernel queues
//    them past the limit), but a dump whose start was refused or lost, or whose data was
//    truncated or interrupted, is restarted from scratch;
//  - when the kernel sends nothing for `patience` (the deadline moves on with every reply), or
//    on Cancel(), what is already queued is still read, then every request without an answer is
//    answered ETIMEDOUT or ECANCELED.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "nl/reader.h"
#include "nl/writer.h"
#include "socket/genl_socket.h"

namespace ipvs {

// The longest patience an exchange accepts, and the one timeout cap of the whole library: the
// addon refuses a longer timeoutMs (and exports the cap as constants.MAX_TIMEOUT_MS, which lib/
// validates against); RunExchange clamps to it, so that now() + patience cannot overflow.
constexpr std::chrono::milliseconds kMaxPatience = std::chrono::hours(24);

// What the exchange needs to know about the requests it carries; implemented by the caller.
class ExchangeHandler {
 public:
  enum class Kind {
    kAck,           // answered by an ack alone
    kAckWithReply,  // one reply message, then the ack
    kDump,          // multipart reply ending in NLMSG_DONE
  };

  virtual ~ExchangeHandler() = default;
  virtual size_t size() const = 0;
  virtual Kind kind(size_t index) const = 0;
  // Appends request `index` as one message with `seq`. False (the writer unchanged) when it does
  // not fit; a request that does not fit even an empty writer is answered EINVAL.
  virtual bool Append(size_t index, uint32_t seq, nl::Writer* writer) = 0;
  // A reply message (not an ack or NLMSG_DONE) for request `index`.
  virtual void OnMessage(size_t index, const nl::Message& message) = 0;
  // The dump `index` starts over: forget what OnMessage() gave for it.
  virtual void OnRestart(size_t index) = 0;
  // The request's outcome, exactly once: 0 or a positive errno, a message (the kernel's extended
  // ack, or ours), and the extended ack's offset when the kernel sent one (NLMSGERR_ATTR_OFFS:
  // bytes from the start of the request's message to the attribute it refused).
  virtual void OnComplete(size_t index, int error, const std::string& message,
                          std::optional<uint32_t> offset) = 0;
};

// Runs every request of `handler` to an outcome; `patience` is clamped to kMaxPatience. Throws
// SystemError only when poll() itself fails; socket errors become the outcome of the requests
// they affect.
void RunExchange(GenlSocket* socket, ExchangeHandler* handler,
                 GenlSocket::Clock::duration patience);

}  // namespace ipvs
