#include "addon/vrrp_socket.h"

#include <arpa/inet.h>

#include <cerrno>
#include <string>
#include <utility>

#include "addon/addon_data.h"
#include "addon/errors.h"
#include "addon/promise_worker.h"
#include "addon/timeout.h"
#include "socket/netns.h"
#include "socket/system_error.h"

namespace addon {

namespace {

std::string Ipv4Text(const vrrp::Ipv4& address) {
  char text[INET_ADDRSTRLEN] = "";
  ::inet_ntop(AF_INET, address.data(), text, sizeof text);
  return text;
}

class VrrpOpenWorker : public PromiseWorker {
 public:
  VrrpOpenWorker(Napi::Env env, std::string netns_path, std::string ifname)
      : PromiseWorker(env), netns_path_(std::move(netns_path)), ifname_(std::move(ifname)) {}

 protected:
  void Execute() override {
    Guard([&] {
      socket_ = std::make_shared<vrrp::RawSocket>(ipvs::NetnsFile(netns_path_), ifname_);
    });
  }

  void OnOK() override {
    Napi::Env env = Env();
    auto* owned = new std::shared_ptr<vrrp::RawSocket>(std::move(socket_));
    auto external = Napi::External<std::shared_ptr<vrrp::RawSocket>>::New(
        env, owned, [](Napi::Env, std::shared_ptr<vrrp::RawSocket>* p) { delete p; });
    deferred_.Resolve(AddonData::Of(env).vrrp_constructor.New({external}));
  }

 private:
  std::string netns_path_;
  std::string ifname_;
  std::shared_ptr<vrrp::RawSocket> socket_;
};

// vrrpOpen(netnsPath, ifname): Promise<NativeVrrpSocket>.
Napi::Value VrrpOpen(const Napi::CallbackInfo& info) {
  if (info.Length() != 2 || !info[0].IsString() || !info[1].IsString())
    throw Napi::TypeError::New(info.Env(), "vrrpOpen(netnsPath, ifname)");
  auto* worker = new VrrpOpenWorker(info.Env(), info[0].As<Napi::String>().Utf8Value(),
                                    info[1].As<Napi::String>().Utf8Value());
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace

class VrrpReceiveWorker : public PromiseWorker {
 public:
  VrrpReceiveWorker(Napi::Env env, VrrpSocketHandle* handle, std::chrono::milliseconds timeout)
      : PromiseWorker(env),
        handle_ref_(Napi::Persistent(handle->Value())),
        handle_(handle),
        socket_(handle->socket_),
        timeout_(timeout) {
    handle_->busy_ = true;
  }

 protected:
  void Execute() override {
    Guard([&] { got_ = socket_->Receive(timeout_, &datagram_); });
  }

  void OnOK() override {
    handle_->busy_ = false;
    Napi::Env env = Env();
    if (!got_) {
      deferred_.Resolve(env.Null());
      return;
    }
    Napi::Object js = Napi::Object::New(env);
    js.Set("payload",
           Napi::Buffer<uint8_t>::Copy(env, datagram_.payload.data(), datagram_.payload.size()));
    js.Set("source", Ipv4Text(datagram_.source));
    js.Set("destination", Ipv4Text(datagram_.destination));
    js.Set("ttl", datagram_.ttl);
    js.Set("ifindex", datagram_.ifindex);
    deferred_.Resolve(js);
  }

  void OnError(const Napi::Error& error) override {
    handle_->busy_ = false;
    PromiseWorker::OnError(error);
  }

 private:
  Napi::ObjectReference handle_ref_;  // keeps the handle alive while the worker runs
  VrrpSocketHandle* handle_;
  std::shared_ptr<vrrp::RawSocket> socket_;
  std::chrono::milliseconds timeout_;
  vrrp::Datagram datagram_;
  bool got_ = false;
};

Napi::Function VrrpSocketHandle::Define(Napi::Env env) {
  return DefineClass(env, "NativeVrrpSocket",
                     {
                         InstanceMethod<&VrrpSocketHandle::Receive>("receive"),
                         InstanceMethod<&VrrpSocketHandle::Send>("send"),
                         InstanceMethod<&VrrpSocketHandle::CloseMethod>("close"),
                         InstanceAccessor<&VrrpSocketHandle::Ifindex>("ifindex"),
                     });
}

VrrpSocketHandle::VrrpSocketHandle(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<VrrpSocketHandle>(info) {
  if (info.Length() != 1 || !info[0].IsExternal())
    throw Napi::TypeError::New(info.Env(), "NativeVrrpSocket is created by vrrpOpen(), not by new");
  socket_ = *info[0].As<Napi::External<std::shared_ptr<vrrp::RawSocket>>>().Data();
  AddonData::Of(info.Env()).live_vrrp_sockets.insert(this);
}

VrrpSocketHandle::~VrrpSocketHandle() {
  if (AddonData* data = Env().GetInstanceData<AddonData>()) data->live_vrrp_sockets.erase(this);
  Close();
}

void VrrpSocketHandle::Close() {
  if (!socket_) return;
  socket_->Cancel();
  socket_.reset();
}

Napi::Value VrrpSocketHandle::Receive(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto deferred = Napi::Promise::Deferred::New(env);
  if (!socket_) {
    deferred.Reject(
        ErrnoError(env, ipvs::Step::kClosed, EBADF, "the VRRP socket is closed").Value());
    return deferred.Promise();
  }
  if (busy_) {
    deferred.Reject(
        ErrnoError(env, ipvs::Step::kBusy, EBUSY, "a receive is already waiting on this socket")
            .Value());
    return deferred.Promise();
  }
  if (info.Length() != 1) throw Napi::TypeError::New(env, "receive(timeoutMs)");
  auto* worker = new VrrpReceiveWorker(env, this, TimeoutFromJs(info[0]));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value VrrpSocketHandle::Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsTypedArray() || !info[1].IsString())
    throw Napi::TypeError::New(env, "send(message: Uint8Array, destination: string)");
  auto message = info[0].As<Napi::Uint8Array>();
  if (message.TypedArrayType() != napi_uint8_array)
    throw Napi::TypeError::New(env, "send: message must be a Uint8Array");
  if (message.ByteLength() > vrrp::RawSocket::kMaxPayload)
    throw Napi::RangeError::New(env, "send: a VRRP message is at most " +
                                         std::to_string(vrrp::RawSocket::kMaxPayload) + " bytes");
  vrrp::Ipv4 destination{};
  const std::string text = info[1].As<Napi::String>().Utf8Value();
  if (::inet_pton(AF_INET, text.c_str(), destination.data()) != 1)
    throw Napi::TypeError::New(env, "send: destination must be an IPv4 address, got " + text);
  if (!socket_) throw ErrnoError(env, ipvs::Step::kClosed, EBADF, "the VRRP socket is closed");
  try {
    socket_->Send(message.Data(), message.ByteLength(), destination);
  } catch (const ipvs::SystemError& error) {
    throw ErrnoError(env, error);
  }
  return env.Undefined();
}

Napi::Value VrrpSocketHandle::CloseMethod(const Napi::CallbackInfo& info) {
  Close();
  return info.Env().Undefined();
}

Napi::Value VrrpSocketHandle::Ifindex(const Napi::CallbackInfo& info) {
  return socket_ ? Napi::Number::New(info.Env(), socket_->ifindex()) : info.Env().Undefined();
}

void RegisterVrrp(Napi::Env env, Napi::Object exports) {
  AddonData::Of(env).vrrp_constructor = Napi::Persistent(VrrpSocketHandle::Define(env));
  exports.Set("vrrpOpen", Napi::Function::New(env, VrrpOpen, "vrrpOpen"));
}

}  // namespace addon
