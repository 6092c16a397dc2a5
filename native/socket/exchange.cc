#include "socket/exchange.h"

#include <linux/netlink.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

namespace ipvs {

namespace {

using Kind = ExchangeHandler::Kind;

// Receive-buffer accounting the kernel charges per queued reply (skb truesize), as budgeted when
// sizing a chunk. An ack with NETLINK_CAP_ACK is a few dozen bytes in a ~768-byte skb; a reply is
// allocated with nlmsg_new(NLMSG_DEFAULT_SIZE); a dump's first part comes while the chunk's acks
// are still queued. After an overrun later chunks carry at most half as many messages.
constexpr size_t kAckCost = 1024;
constexpr size_t kReplyCost = 8 << 10;
constexpr size_t kDumpCost = 64 << 10;
constexpr size_t kMaxChunkBytes = 4 << 20;
constexpr size_t kMaxChunkMessages = 1 << 16;
constexpr int kMaxDumpRestarts = 8;

struct Slot {
  size_t index;
  uint32_t seq;
  Kind kind;
  bool done = false;
  bool restart = false;  // a dump whose current attempt is incomplete
  int lost_error = 0;    // a reply message of a non-dump was lost; its ack must not say success
};

class Exchange {
 public:
  Exchange(GenlSocket* socket, ExchangeHandler* handler, GenlSocket::Clock::duration patience)
      : socket_(socket), handler_(handler), patience_(patience) {
    ResizeWriter(std::min(socket->max_send_size(), kMaxChunkBytes));
  }
  ~Exchange() { socket_->KeepWriter(std::move(writer_)); }
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  void Run() {
    // Leftovers of an Execute that gave up early: none can match.
    if (socket_->may_hold_stale_replies) DiscardQueued();
    // Cleared only when every request sent has been answered, whatever ends this exchange.
    socket_->may_hold_stale_replies = true;
    for (;;) {
      if (socket_->TakeCancel()) return Stop(ECANCELED);
      if (!BuildChunk()) {
        socket_->may_hold_stale_replies = false;
        return;
      }
      if (chunk_.empty()) continue;
      const int error = socket_->Send(writer_->data(), writer_->size(), chunk_.size());
      if (error == EMSGSIZE && chunk_.size() > 1) {
        // The send buffer is smaller than it said: send the same requests in smaller chunks.
        next_ = chunk_.front().index;
        chunk_.clear();
        ResizeWriter(writer_->capacity() / 2);
        continue;
      }
      if (error != 0) {
        for (Slot& slot : chunk_) {
          Resolve(&slot, error,
                  std::string("not sent (sendmsg failed: ") + std::strerror(error) +
                      "); nothing was changed",
                  std::nullopt);
        }
        continue;
      }
      if (!ReceiveChunk()) return;
    }
  }

 private:
  void ResizeWriter(size_t capacity) {
    writer_ = socket_->TakeWriter(std::max<size_t>(capacity, 4096));
  }

  static size_t Cost(Kind kind) {
    switch (kind) {
      case Kind::kAck:
        return kAckCost;
      case Kind::kAckWithReply:
        return kAckCost + kReplyCost;
      case Kind::kDump:
        return kDumpCost;
    }
    return kDumpCost;
  }

  // Fills the writer with the next chunk. False when nothing is left to send.
  bool BuildChunk() {
    writer_->Clear();
    chunk_.clear();
    if (!restarts_.empty()) {
      const size_t index = restarts_.front();
      restarts_.pop_front();
      // The previous attempt may still be running in the kernel; reading the queue empty lets it
      // finish, so that the new one is not refused with EBUSY.
      DiscardQueued();
      AppendToChunk(index);
      return true;
    }
    if (next_ >= handler_->size()) return false;
    const size_t budget = socket_->receive_buffer_size() / 2;
    size_t used = 0;
    while (next_ < handler_->size() && chunk_.size() < max_chunk_messages_) {
      const Kind kind = handler_->kind(next_);
      if (!chunk_.empty() && used + Cost(kind) > budget) break;
      if (!AppendToChunk(next_)) break;
      used += Cost(kind);
      ++next_;
      if (kind == Kind::kDump) break;  // One dump at a time, and nothing after it.
    }
    return true;
  }

  // False when the request does not fit beside those already in the chunk.
  bool AppendToChunk(size_t index) {
    const uint32_t seq = socket_->NextSeq();
    if (handler_->Append(index, seq, writer_.get())) {
      chunk_.push_back(Slot{index, seq, handler_->kind(index)});
      return true;
    }
    if (!chunk_.empty()) return false;
    handler_->OnComplete(index, EINVAL,
                         "the request cannot be encoded as one netlink message; nothing was sent",
                         std::nullopt);
    return true;
  }

  // Reads until every request of the chunk is answered. False when the deadline or a cancel
  // ended the exchange.
  bool ReceiveChunk() {
    unresolved_ = chunk_.size();
    // The kernel handles a chunk inside sendmsg() and has usually queued every answer by now (a
    // dump's next part is produced as the previous one is read): read before waiting, and wait
    // only when something is still missing. This saves a poll() per chunk.
    GenlSocket::Wake wake = GenlSocket::Wake::kReadable;
    for (;;) {
      const bool overrun = ReadUntilEmpty(/*until_answered=*/true);
      if (receive_error_ != 0) {
        const int error = receive_error_;
        receive_error_ = 0;
        ResolveAllUnresolved(error, std::string("receiving the reply failed (") +
                                        std::strerror(error) + "); the outcome is unknown");
      } else if (overrun) {
        ResolveAllUnresolved(ENOBUFS,
                             "the kernel's reply was lost to a receive buffer overrun; the "
                             "request may or may not have been applied");
        // Both, so that the rest of the batch has room to spare even when the buffer cannot
        // grow (no CAP_NET_ADMIN for SO_RCVBUFFORCE, rmem_max reached).
        socket_->GrowReceiveBuffer();
        max_chunk_messages_ = std::max<size_t>(1, chunk_.size() / 2);
      }
      if (unresolved_ == 0) return true;
      if (wake != GenlSocket::Wake::kReadable) {
        Stop(wake == GenlSocket::Wake::kCancelled ? ECANCELED : ETIMEDOUT);
        return false;
      }
      // The deadline measures the kernel's silence, not the batch's length: a big batch that
      // keeps being answered never times out, a kernel that stops answering does. The silence
      // starts now, everything queued having been read, and again after each wake. The clock is
      // read only here: an exchange answered inside sendmsg() (every small one) never reads it,
      // which matters where reading it is a system call (the lab guest's HPET clock: an inline
      // exchange used to read it four times, more than its own syscalls cost).
      wake = socket_->Wait(GenlSocket::Clock::now() + patience_);
    }
  }

  // Reads and handles every queued datagram. True when an overrun (ENOBUFS) was reported: by
  // the time the queue is empty, every reply to a sent chunk has arrived or is known lost.
  //
  // With `until_answered`, reading stops as soon as every request of the chunk has its answer:
  // the read that would only say "empty" is skipped (an inline exchange otherwise made two
  // recvmsg calls for one ack). What may still be queued then is no answer of this chunk: a
  // later exchange ignores it by its sequence number, and an overrun it reports concerns no
  // request of that exchange's either, whose answers are all read before unanswered ones are
  // given ENOBUFS.
  bool ReadUntilEmpty(bool until_answered = false) {
    bool overrun = false;
    for (;;) {
      bool truncated = false;
      const long len = socket_->Receive(&truncated);
      if (len == -EAGAIN || len == -EWOULDBLOCK) return overrun;
      if (len == -ENOBUFS) {
        overrun = true;
        continue;
      }
      if (len < 0) {
        receive_error_ = static_cast<int>(-len);
        return overrun;
      }
      HandleDatagram(socket_->received(), static_cast<size_t>(len), truncated);
      if (until_answered && unresolved_ == 0) return overrun;
    }
  }

  // With no chunk in flight nothing matches, so this only empties the queue.
  void DiscardQueued() {
    ReadUntilEmpty();
    receive_error_ = 0;
  }

  void HandleDatagram(const uint8_t* data, size_t len, bool truncated) {
    if (len == 0) return;
    nl::MessageIterator messages(data, len);
    nl::Message message;
    while (messages.Next(&message)) HandleMessage(message);
    if (messages.ok() && !truncated) return;
    // One datagram answers one request (an ack, a reply, or a run of one dump's parts), so the
    // first header says whose reply was cut short or mangled.
    nlmsghdr header;
    if (len >= sizeof header) {
      std::memcpy(&header, data, sizeof header);
      if (Slot* slot = FindSlot(header.nlmsg_seq)) MarkLost(slot, truncated ? EMSGSIZE : EBADMSG);
      return;
    }
    for (Slot& slot : chunk_) MarkLost(&slot, EBADMSG);
  }

  void MarkLost(Slot* slot, int error) {
    if (slot->done) return;
    if (slot->kind == Kind::kDump) {
      slot->restart = true;
    } else {
      slot->lost_error = error;
    }
  }

  void HandleMessage(const nl::Message& message) {
    Slot* slot = FindSlot(message.seq);
    if (slot == nullptr || slot->done) return;  // Stale, or after the request's end.
    if (message.type == NLMSG_ERROR) {
      nl::ErrorReply ack;
      if (!nl::ParseError(message, &ack)) {
        MarkLost(slot, EBADMSG);
        Resolve(slot, EBADMSG, "malformed acknowledgement from the kernel");
        return;
      }
      if (slot->kind == Kind::kDump) {
        if (ack.error == 0) return;  // Not the end of a dump; NLMSG_DONE is.
        if (ack.error == ENOBUFS) slot->restart = true;
      }
      Resolve(slot, ack.error, ack.ext_message, ack.offset);
    } else if (message.type == NLMSG_DONE) {
      if (slot->kind != Kind::kDump) return;
      int error = 0;
      nl::ParseDone(message, &error);
      if (error == ENOBUFS) slot->restart = true;
      Resolve(slot, error, "");
    } else if (message.type >= NLMSG_MIN_TYPE) {
      // The kernel saw the table change in mid-dump: this attempt may be inconsistent.
      if (slot->kind == Kind::kDump && (message.flags & NLM_F_DUMP_INTR) != 0) slot->restart = true;
      if (!slot->restart) handler_->OnMessage(slot->index, message);
    }
    // NLMSG_NOOP, NLMSG_OVERRUN: nothing to do.
  }

  Slot* FindSlot(uint32_t seq) {
    if (chunk_.empty()) return nullptr;
    // Sequence numbers rise through the chunk (possibly wrapping): compare distances from the
    // first.
    const uint32_t first = chunk_.front().seq;
    const uint32_t offset = seq - first;
    auto it = std::lower_bound(
        chunk_.begin(), chunk_.end(), offset,
        [first](const Slot& slot, uint32_t value) { return slot.seq - first < value; });
    return it != chunk_.end() && it->seq == seq ? &*it : nullptr;
  }

  void Resolve(Slot* slot, int error, std::string message,
               std::optional<uint32_t> offset = std::nullopt) {
    if (slot->done) return;
    slot->done = true;
    if (unresolved_ > 0) --unresolved_;
    if (slot->kind == Kind::kDump && slot->restart) return Restart(slot->index);
    if (error == 0 && slot->lost_error != 0) {
      error = slot->lost_error;
      message = "the kernel acknowledged the request but its reply was lost";
    }
    handler_->OnComplete(slot->index, error, message, offset);
  }

  void Restart(size_t index) {
    if (++restart_counts_[index] > kMaxDumpRestarts) {
      handler_->OnComplete(index, ENOBUFS, "the dump kept overrunning the receive buffer",
                           std::nullopt);
      return;
    }
    handler_->OnRestart(index);
    restarts_.push_back(index);
  }

  // After an overrun: a dump without its end lost its start, so it runs again; anything else
  // without its ack has an unknown outcome.
  void ResolveAllUnresolved(int error, const std::string& message) {
    for (Slot& slot : chunk_) {
      if (slot.done) continue;
      if (slot.kind == Kind::kDump && error == ENOBUFS) slot.restart = true;
      Resolve(&slot, error, message);
    }
  }

  // Ends the exchange at the deadline or on cancel: everything without an answer gets `error`.
  void Stop(int error) {
    const bool cancelled = error == ECANCELED;
    const std::string in_flight =
        cancelled ? "cancelled while waiting for the kernel's reply; the request may or may not "
                    "have been applied"
                  : "the kernel stopped answering (deadline); the request may or may not have been "
                    "applied";
    const std::string unsent = cancelled ? "cancelled before it was sent; nothing was changed"
                                         : "not sent before the deadline; nothing was changed";
    for (Slot& slot : chunk_) {
      if (slot.done) continue;
      slot.restart = false;  // No more attempts.
      Resolve(&slot, error, in_flight);
    }
    chunk_.clear();
    for (size_t index : restarts_) handler_->OnComplete(index, error, unsent, std::nullopt);
    restarts_.clear();
    for (; next_ < handler_->size(); ++next_) {
      handler_->OnComplete(next_, error, unsent, std::nullopt);
    }
  }

  GenlSocket* socket_;
  ExchangeHandler* handler_;
  GenlSocket::Clock::duration patience_;
  std::unique_ptr<nl::Writer> writer_;
  std::vector<Slot> chunk_;
  size_t unresolved_ = 0;
  size_t next_ = 0;
  std::deque<size_t> restarts_;
  std::unordered_map<size_t, int> restart_counts_;
  size_t max_chunk_messages_ = kMaxChunkMessages;
  int receive_error_ = 0;
};

}  // namespace

void RunExchange(GenlSocket* socket, ExchangeHandler* handler,
                 GenlSocket::Clock::duration patience) {
  Exchange(socket, handler,
           std::clamp<GenlSocket::Clock::duration>(patience, GenlSocket::Clock::duration::zero(),
                                                   kMaxPatience))
      .Run();
}

}  // namespace ipvs
