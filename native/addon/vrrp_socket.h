// The JS object behind one VRRP socket (lib/kernel/native.ts: NativeVrrpSocket): owns a
// vrrp::RawSocket opened in its namespace. receive() waits on the event loop (a libuv poll on the
// socket and a timer), not on a worker thread: an instance waits for its next advertisement all
// the time, and a worker per instance would take the libuv pool that the kernel exchanges need.
// send() runs on the JS thread (a raw datagram to a local link never blocks); close() rejects a
// waiting receive and closes the socket.
#pragma once

#include <napi.h>

#include <uv.h>

#include <chrono>
#include <functional>
#include <memory>

#include "vrrp/raw_socket.h"

namespace addon {

class VrrpSocketHandle : public Napi::ObjectWrap<VrrpSocketHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  // Called from JS through the constructor with an External holding the opened socket.
  explicit VrrpSocketHandle(const Napi::CallbackInfo& info);
  ~VrrpSocketHandle() override;

  // Stops polling and closes the socket; a waiting receive is rejected when `settle` (false while
  // the environment is being torn down, when no promise can be settled any more).
  void Close(bool settle = true);

 private:
  // receive(timeoutMs): Promise<NativeVrrpDatagram | null>; null when the time ran out.
  Napi::Value Receive(const Napi::CallbackInfo& info);
  // send(message: Uint8Array, destination: string): void.
  Napi::Value Send(const Napi::CallbackInfo& info);
  Napi::Value CloseMethod(const Napi::CallbackInfo& info);
  Napi::Value Ifindex(const Napi::CallbackInfo& info);

  static void OnReadable(uv_poll_t* poll, int status, int events);
  static void OnTimeout(uv_timer_t* timer);
  // Starts the poll and the timer for a receive that found nothing queued.
  void Wait(std::chrono::milliseconds timeout);
  // Ends the waiting receive: stops the poll and the timer, drops the hold on this object, and
  // settles the promise in a callback scope, so that its continuations run at once.
  void Settle(const std::function<void(Napi::Promise::Deferred&)>& settle);

  std::shared_ptr<vrrp::RawSocket> socket_;
  uv_poll_t* poll_ = nullptr;  // freed by uv_close's callback
  uv_timer_t* timer_ = nullptr;
  std::unique_ptr<Napi::Promise::Deferred> waiting_;  // one receive at a time
  Napi::AsyncContext async_context_;
};

// Adds vrrpOpen(netnsPath, ifname, family?): Promise<NativeVrrpSocket> to the exports.
void RegisterVrrp(Napi::Env env, Napi::Object exports);

}  // namespace addon
