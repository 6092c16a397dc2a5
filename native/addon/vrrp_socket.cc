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

std::string AddressText(const vrrp::IpAddress& address) {
  char text[INET6_ADDRSTRLEN] = "";
  const int domain = address.family == vrrp::Family::kIpv4 ? AF_INET : AF_INET6;
  ::inet_ntop(domain, address.bytes.data(), text, sizeof text);
  return text;
}

const char* FamilyName(vrrp::Family family) {
  return family == vrrp::Family::kIpv4 ? "IPv4" : "IPv6";
}

class VrrpOpenWorker : public PromiseWorker {
 public:
  VrrpOpenWorker(Napi::Env env, std::string netns_path, std::string ifname, vrrp::Family family)
      : PromiseWorker(env),
        netns_path_(std::move(netns_path)),
        ifname_(std::move(ifname)),
        family_(family) {}

 protected:
  void Execute() override {
    Guard([&] {
      socket_ = std::make_shared<vrrp::RawSocket>(ipvs::NetnsFile(netns_path_), ifname_, family_);
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
  vrrp::Family family_;
  std::shared_ptr<vrrp::RawSocket> socket_;
};

// vrrpOpen(netnsPath, ifname, family = 'ipv4'): Promise<NativeVrrpSocket>.
Napi::Value VrrpOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "vrrpOpen(netnsPath, ifname, family?: 'ipv4' | 'ipv6')";
  if (info.Length() < 2 || info.Length() > 3 || !info[0].IsString() || !info[1].IsString())
    throw Napi::TypeError::New(env, usage);
  vrrp::Family family = vrrp::Family::kIpv4;
  if (info.Length() == 3 && !info[2].IsUndefined()) {
    const std::string name = info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : "";
    if (name == "ipv6")
      family = vrrp::Family::kIpv6;
    else if (name != "ipv4")
      throw Napi::TypeError::New(env, std::string(usage) + ": family must be 'ipv4' or 'ipv6'");
  }
  auto* worker = new VrrpOpenWorker(env, info[0].As<Napi::String>().Utf8Value(),
                                    info[1].As<Napi::String>().Utf8Value(), family);
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
    js.Set("source", AddressText(datagram_.source));
    js.Set("destination", AddressText(datagram_.destination));
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
  if (!socket_) throw ErrnoError(env, ipvs::Step::kClosed, EBADF, "the VRRP socket is closed");
  const vrrp::Family family = socket_->family();
  const size_t most = vrrp::RawSocket::MaxPayload(family);
  if (message.ByteLength() > most)
    throw Napi::RangeError::New(env, std::string("send: an ") + FamilyName(family) +
                                         " VRRP message is at most " + std::to_string(most) +
                                         " bytes");
  vrrp::IpAddress destination;
  destination.family = family;
  const std::string text = info[1].As<Napi::String>().Utf8Value();
  const int domain = family == vrrp::Family::kIpv4 ? AF_INET : AF_INET6;
  if (::inet_pton(domain, text.c_str(), destination.bytes.data()) != 1)
    throw Napi::TypeError::New(env, std::string("send: destination must be an ") +
                                        FamilyName(family) + " address, got " + text);
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
