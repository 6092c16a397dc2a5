// The JS object behind one Ipvs handle: owns an ipvs::Client (its socket, in its namespace) and
// runs kernel exchanges on a worker thread, or, when they cannot stall, on the JS thread (see
// inline_policy.h).
#pragma once

#include <napi.h>

#include <chrono>

#include <memory>

#include "addon/inline_policy.h"
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
  // execute(packed, count, timeoutMs): Promise<Array<0 | object>>, one entry per request.
  Napi::Value Execute(const Napi::CallbackInfo& info);
  // dumpDestinations(packed, count, timeoutMs): Promise<DestDumps>, every record a getDests, all
  // their rows in one table (reply_tables.h). Always on a worker, as every dump.
  Napi::Value DumpDestinations(const Napi::CallbackInfo& info);
  // An exchange the inline policy allows, run to its end before returning.
  Napi::Value ExecuteInline(Napi::Env env, Napi::Promise::Deferred& deferred,
                            const std::vector<ipvs::Request>& requests,
                            std::chrono::milliseconds timeout);
  static constexpr std::chrono::milliseconds kInlinePatience{1000};
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
  InlinePolicy inline_policy_;  // JS thread only
  friend class ExecuteWorker;
  friend class ReadProcNetWorker;
};

}  // namespace addon
