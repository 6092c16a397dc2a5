#include "addon/client_handle.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <exception>

#include "addon/addon_data.h"
#include "addon/announcer_handle.h"
#include "addon/errors.h"
#include "addon/js_convert.h"
#include "addon/packed_request.h"
#include "addon/timeout.h"
#include "addon/vrrp_socket.h"
#include "addon/workers.h"
#include "socket/system_error.h"

namespace addon {

Napi::Function ClientHandle::Define(Napi::Env env) {
  return DefineClass(env, "NativeClient",
                     {
                         InstanceMethod<&ClientHandle::Execute>("execute"),
                         InstanceMethod<&ClientHandle::DumpDestinations>("dumpDestinations"),
                         InstanceMethod<&ClientHandle::ReadProcNet>("readProcNet"),
                         InstanceMethod<&ClientHandle::CloseMethod>("close"),
                         InstanceMethod<&ClientHandle::Counters>("counters"),
                         InstanceAccessor<&ClientHandle::FamilyId>("familyId"),
                     });
}

ClientHandle::ClientHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ClientHandle>(info) {
  if (info.Length() != 1 || !info[0].IsExternal()) {
    throw Napi::TypeError::New(info.Env(), "NativeClient is created by open(), not by new");
  }
  client_ = *info[0].As<Napi::External<std::shared_ptr<ipvs::Client>>>().Data();
  AddonData::Of(info.Env()).live_handles.insert(this);
}

ClientHandle::~ClientHandle() {
  // The environment may already be gone (teardown order): only touch the set while it exists.
  if (AddonData* data = Env().GetInstanceData<AddonData>()) data->live_handles.erase(this);
  Close();
}

void ClientHandle::Close() {
  if (!client_) return;
  client_->Cancel();
  client_.reset();
}

bool ClientHandle::RejectIfUnusable(Napi::Env env, Napi::Promise::Deferred& deferred) {
  if (!client_) {
    deferred.Reject(ErrnoError(env, ipvs::Step::kClosed, EBADF, "the handle is closed").Value());
    return true;
  }
  if (busy_) {
    // The TypeScript layer queues calls, so this only happens when the native object is misused.
    deferred.Reject(
        ErrnoError(env, ipvs::Step::kBusy, EBUSY, "an exchange is already running on this handle")
            .Value());
    return true;
  }
  return false;
}

Napi::Value ClientHandle::Execute(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto deferred = Napi::Promise::Deferred::New(env);
  if (RejectIfUnusable(env, deferred)) return deferred.Promise();
  if (info.Length() != 3 || !info[2].IsNumber()) {
    throw Napi::TypeError::New(env, "execute(packedRequests, count, timeoutMs)");
  }
  const std::chrono::milliseconds timeout = TimeoutFromJs(info[2]);
  uint32_t count = 0;
  const uint8_t* records = PackedRecords(info[0], info[1], sizeof(PackedRequest), &count);
  ExecuteWorker* worker = nullptr;
  if (count > InlinePolicy::kMaxRequests) {
    // Never inline, and reading thousands of records held the JS thread tens of milliseconds in
    // the lab: the worker thread reads them from a copy of their bytes.
    std::vector<uint8_t> bytes(records,
                               records + static_cast<size_t>(count) * sizeof(PackedRequest));
    worker = new ExecuteWorker(env, this, std::move(bytes), count, timeout);
  } else {
    std::vector<ipvs::Request> requests = RequestsFromPackedArgs(info[0], info[1]);
    if (inline_policy_.Allows(requests)) return ExecuteInline(env, deferred, requests, timeout);
    worker = new ExecuteWorker(env, this, std::move(requests), timeout);
  }
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value ClientHandle::DumpDestinations(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto deferred = Napi::Promise::Deferred::New(env);
  if (RejectIfUnusable(env, deferred)) return deferred.Promise();
  if (info.Length() != 3 || !info[2].IsNumber()) {
    throw Napi::TypeError::New(env, "dumpDestinations(packedRequests, count, timeoutMs)");
  }
  const std::chrono::milliseconds timeout = TimeoutFromJs(info[2]);
  uint32_t count = 0;
  const uint8_t* records = PackedRecords(info[0], info[1], sizeof(PackedRequest), &count);
  std::vector<uint8_t> bytes(records, records + static_cast<size_t>(count) * sizeof(PackedRequest));
  auto* worker = new ExecuteWorker(env, this, std::move(bytes), count, timeout,
                                   ExecuteWorker::ReplyForm::kDestTable);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value ClientHandle::ExecuteInline(Napi::Env env, Napi::Promise::Deferred& deferred,
                                        const std::vector<ipvs::Request>& requests,
                                        std::chrono::milliseconds timeout) {
  // The kernel answers inside sendmsg(), so the wait below ends at once; the cap only bounds how
  // long the JS thread could be held if that ever stopped being true.
  const std::chrono::milliseconds patience = std::min(timeout, kInlinePatience);
  try {
    std::vector<ipvs::Reply> replies = client_->Execute(requests, patience);
    inline_policy_.Learn(requests, replies);
    deferred.Resolve(RepliesToJs(env, requests, replies));
  } catch (const ipvs::SystemError& error) {
    deferred.Reject(ErrnoError(env, error).Value());
  } catch (const std::exception& error) {
    deferred.Reject(Napi::Error::New(env, error.what()).Value());
  }
  return deferred.Promise();
}

Napi::Value ClientHandle::ReadProcNet(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto deferred = Napi::Promise::Deferred::New(env);
  if (!client_) {
    deferred.Reject(ErrnoError(env, ipvs::Step::kClosed, EBADF, "the handle is closed").Value());
    return deferred.Promise();
  }
  if (info.Length() != 1 || !info[0].IsString())
    throw Napi::TypeError::New(env, "readProcNet(name)");
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.') {
    throw Napi::TypeError::New(env, "readProcNet: name must be a plain file name below /proc/net");
  }
  auto* worker = new ReadProcNetWorker(env, client_, name);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value ClientHandle::CloseMethod(const Napi::CallbackInfo& info) {
  Close();
  return info.Env().Undefined();
}

Napi::Value ClientHandle::FamilyId(const Napi::CallbackInfo& info) {
  return client_ ? Napi::Number::New(info.Env(), client_->family_id()) : info.Env().Undefined();
}

Napi::Value ClientHandle::Counters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object js = Napi::Object::New(env);
  if (!client_) return js;
  const ipvs::GenlSocket::Counters counters = client_->counters();
  js.Set("sendmsgCalls", Napi::Number::New(env, static_cast<double>(counters.sendmsg_calls)));
  js.Set("messagesSent", Napi::Number::New(env, static_cast<double>(counters.messages_sent)));
  js.Set("bytesSent", Napi::Number::New(env, static_cast<double>(counters.bytes_sent)));
  js.Set("datagramsReceived",
         Napi::Number::New(env, static_cast<double>(counters.datagrams_received)));
  return js;
}

AddonData::~AddonData() {
  for (ClientHandle* handle : live_handles) handle->Close();
  // The environment is going: no promise can be settled any more.
  for (VrrpSocketHandle* socket : live_vrrp_sockets) socket->Close(false);
  for (AnnouncerHandle* announcer : live_announcers) announcer->Close();
}

}  // namespace addon
