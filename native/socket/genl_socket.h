// A generic netlink socket and its primitives: open with capped and extended acks, buffers sized
// for large batches, one sendmsg per buffer, non-blocking receives, and a wait that a deadline or
// Cancel() can end. The batch protocol built on these lives in socket/exchange.h, family
// resolution in socket/genl_family.h.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "nl/writer.h"

namespace ipvs {

class GenlSocket {
 public:
  using Clock = std::chrono::steady_clock;

  // Creates the socket in the calling thread's current network namespace. Throws SystemError.
  static std::unique_ptr<GenlSocket> Open();
  // The same socket machinery for another netlink protocol (NETLINK_ROUTE for native/rtnl): the
  // exchange in socket/exchange.h only frames and matches netlink messages.
  static std::unique_ptr<GenlSocket> Open(int protocol);
  GenlSocket(const GenlSocket&) = delete;
  GenlSocket& operator=(const GenlSocket&) = delete;
  ~GenlSocket();

  // Sequence numbers increase for the life of the socket, so that a late reply to an abandoned
  // request can never be mistaken for the answer to a new one.
  uint32_t NextSeq() { return next_seq_++; }

  // One sendmsg of `message_count` whole messages. Returns 0 or an errno (EMSGSIZE: larger than
  // the send buffer).
  int Send(const uint8_t* data, size_t len, size_t message_count);

  // What went over the socket, for observability and the benchmarks (e.g. that calls made in
  // the same tick shared one sendmsg). Readable from any thread.
  struct Counters {
    uint64_t sendmsg_calls = 0;
    uint64_t messages_sent = 0;
    uint64_t bytes_sent = 0;
    uint64_t datagrams_received = 0;
  };
  Counters counters() const;

  enum class Wake { kReadable, kDeadline, kCancelled };
  // Waits until a datagram is queued, the deadline passes, or Cancel() is called (a pending
  // cancel is consumed and reported even when data is also waiting).
  Wake Wait(Clock::time_point deadline);
  // Consumes a pending Cancel() without waiting; true when there was one.
  bool TakeCancel();
  // Wakes Wait() from any thread. The cancel stays pending until a Wait() or TakeCancel()
  // consumes it, so one that arrives just before an Execute() starts is not lost.
  void Cancel();

  // Receives one datagram without blocking into the socket's buffer. Returns its length, or
  // -errno (-EAGAIN when nothing is queued, -ENOBUFS after a receive-queue overrun). A datagram
  // larger than the buffer sets *truncated (the buffer then grows for the next one).
  long Receive(bool* truncated);
  const uint8_t* received() const { return receive_buffer_.data(); }

  // The send buffer of the last exchange, when it has `capacity`; else a new one. Exchanges
  // hand it back with KeepWriter(): allocating a chunk-sized (megabytes) buffer per exchange cost
  // more than a small exchange itself.
  std::unique_ptr<nl::Writer> TakeWriter(size_t capacity);
  void KeepWriter(std::unique_ptr<nl::Writer> writer) { spare_writer_ = std::move(writer); }

  // Doubles the kernel receive buffer after an overrun (up to a cap). False when it cannot grow.
  bool GrowReceiveBuffer();

  // Usable sizes as the kernel reports them (it doubles what is asked for, for its overhead).
  size_t send_buffer_size() const { return send_buffer_size_; }
  size_t receive_buffer_size() const { return receive_buffer_size_; }
  // The largest single sendmsg the kernel accepts (netlink refuses more than sk_sndbuf - 32).
  size_t max_send_size() const { return send_buffer_size_ > 32 ? send_buffer_size_ - 32 : 0; }

 private:
  GenlSocket(int fd, int cancel_fd);
  void SetBufferSize(bool receive, size_t bytes);
  void DrainCancelFd();
  size_t ReadBufferSize(bool receive) const;

  int fd_;
  int cancel_fd_;  // eventfd written by Cancel(), to wake Wait()
  std::atomic<bool> cancel_pending_{false};
  uint32_t next_seq_ = 1;
  size_t send_buffer_size_ = 0;
  size_t receive_buffer_size_ = 0;
  std::vector<uint8_t> receive_buffer_;
  std::unique_ptr<nl::Writer> spare_writer_;

 public:
  // Set when an exchange gave up on requests the kernel may still answer: the next one first
  // empties the receive queue. Otherwise there is nothing stale to read, and no syscall to pay.
  bool may_hold_stale_replies = false;
  std::atomic<uint64_t> sendmsg_calls_{0}, messages_sent_{0}, bytes_sent_{0};
  std::atomic<uint64_t> datagrams_received_{0};
};

}  // namespace ipvs
