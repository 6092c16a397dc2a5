// The JS object behind one VRRP socket (lib/kernel/native.ts: NativeVrrpSocket): owns a
// vrrp::RawSocket opened in its namespace; receive() waits on a worker thread, send() runs on the
// JS thread (a raw datagram to a local link never blocks for long), close() wakes a waiting
// receive and releases the socket once no worker holds it.
#pragma once

#include <napi.h>

#include <memory>

#include "vrrp/raw_socket.h"

namespace addon {

class VrrpSocketHandle : public Napi::ObjectWrap<VrrpSocketHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  // Called from JS through the constructor with an External holding the opened socket.
  explicit VrrpSocketHandle(const Napi::CallbackInfo& info);
  ~VrrpSocketHandle() override;

  void Close();

 private:
  // receive(timeoutMs): Promise<NativeVrrpDatagram | null>; null when the time ran out.
  Napi::Value Receive(const Napi::CallbackInfo& info);
  // send(message: Uint8Array, destination: string): void.
  Napi::Value Send(const Napi::CallbackInfo& info);
  Napi::Value CloseMethod(const Napi::CallbackInfo& info);
  Napi::Value Ifindex(const Napi::CallbackInfo& info);

  std::shared_ptr<vrrp::RawSocket> socket_;
  bool busy_ = false;  // one receive at a time
  friend class VrrpReceiveWorker;
};

// Adds vrrpOpen(netnsPath, ifname, family?): Promise<NativeVrrpSocket> to the exports.
void RegisterVrrp(Napi::Env env, Napi::Object exports);

}  // namespace addon
