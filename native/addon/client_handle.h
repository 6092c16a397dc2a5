// The JS object behind one Ipvs handle: owns an ipvs::Client (its socket, in its namespace) and
// runs every kernel exchange on a worker thread.
#pragma once

#include <napi.h>

#include <memory>

#include "ipvs/client.h"

namespace addon {

class ClientHandle : public Napi::ObjectWrap<ClientHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  // Called from JS through the constructor with an External holding the opened client.
  explicit ClientHandle(const Napi::CallbackInfo& info);
  ~ClientHandle() override;

  // Cancels what is running and releases the socket (it closes once no worker holds it).
  void Close();

 private:
  // execute(requests, timeoutMs): Promise<Array<0 | object>>, one entry per request.
  Napi::Value Execute(const Napi::CallbackInfo& info);
  // readProcNet(name): Promise<string>, /proc/net/NAME as seen from the handle's namespace.
  Napi::Value ReadProcNet(const Napi::CallbackInfo& info);
  // close(): void. Idempotent.
  Napi::Value CloseMethod(const Napi::CallbackInfo& info);
  Napi::Value FamilyId(const Napi::CallbackInfo& info);
  // counters(): { sendmsgCalls, messagesSent, bytesSent, datagramsReceived } so far.
  Napi::Value Counters(const Napi::CallbackInfo& info);

  // Rejects with an Error carrying errno, when the handle can't take work.
  bool RejectIfUnusable(Napi::Env env, Napi::Promise::Deferred& deferred);

  std::shared_ptr<ipvs::Client> client_;
  bool busy_ = false;
  friend class ExecuteWorker;
  friend class ReadProcNetWorker;
};

}  // namespace addon
