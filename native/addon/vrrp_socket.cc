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

Napi::Object DatagramToJs(Napi::Env env, const vrrp::Datagram& datagram) {
  Napi::Object js = Napi::Object::New(env);
  js.Set("payload",
         Napi::Buffer<uint8_t>::Copy(env, datagram.payload.data(), datagram.payload.size()));
  js.Set("source", AddressText(datagram.source));
  js.Set("destination", AddressText(datagram.destination));
  js.Set("ttl", datagram.ttl);
  js.Set("ifindex", datagram.ifindex);
  return js;
}

uv_loop_t* LoopOf(Napi::Env env) {
  uv_loop_t* loop = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_get_uv_event_loop(env, &loop), nullptr);
  return loop;
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
    : Napi::ObjectWrap<VrrpSocketHandle>(info),
      async_context_(info.Env(), "ipvs-native:vrrp-receive") {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsExternal())
    throw Napi::TypeError::New(env, "NativeVrrpSocket is created by vrrpOpen(), not by new");
  socket_ = *info[0].As<Napi::External<std::shared_ptr<vrrp::RawSocket>>>().Data();
  uv_loop_t* loop = LoopOf(env);
  poll_ = new uv_poll_t;
  timer_ = new uv_timer_t;
  const int polled = uv_poll_init(loop, poll_, socket_->receive_fd());
  if (polled != 0 || uv_timer_init(loop, timer_) != 0) {
    delete poll_;
    delete timer_;
    poll_ = nullptr;
    timer_ = nullptr;
    socket_.reset();
    throw ErrnoError(env, ipvs::Step::kWait, polled != 0 ? -polled : EINVAL,
                     "watch the VRRP socket on the event loop");
  }
  poll_->data = this;
  timer_->data = this;
  AddonData::Of(env).live_vrrp_sockets.insert(this);
}

VrrpSocketHandle::~VrrpSocketHandle() {
  if (AddonData* data = Env().GetInstanceData<AddonData>()) data->live_vrrp_sockets.erase(this);
  Close(false);
}

void VrrpSocketHandle::Close(bool settle) {
  if (waiting_ && settle) {
    Settle([this](Napi::Promise::Deferred& deferred) {
      deferred.Reject(
          ErrnoError(Env(), ipvs::Step::kClosed, EBADF, "the VRRP socket is closed").Value());
    });
  }
  waiting_.reset();
  // uv_close stops the poll at once, so the descriptor can be closed right after it.
  if (poll_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(poll_),
             [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
    uv_close(reinterpret_cast<uv_handle_t*>(timer_),
             [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
    poll_ = nullptr;
    timer_ = nullptr;
  }
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
  if (waiting_) {
    deferred.Reject(
        ErrnoError(env, ipvs::Step::kBusy, EBUSY, "a receive is already waiting on this socket")
            .Value());
    return deferred.Promise();
  }
  if (info.Length() != 1) throw Napi::TypeError::New(env, "receive(timeoutMs)");
  const std::chrono::milliseconds timeout = TimeoutFromJs(info[0]);
  vrrp::Datagram datagram;
  try {
    if (socket_->TryReceive(&datagram)) {
      deferred.Resolve(DatagramToJs(env, datagram));
      return deferred.Promise();
    }
  } catch (const ipvs::SystemError& error) {
    deferred.Reject(ErrnoError(env, error).Value());
    return deferred.Promise();
  }
  Napi::Promise promise = deferred.Promise();
  waiting_ = std::make_unique<Napi::Promise::Deferred>(std::move(deferred));
  Wait(timeout);
  return promise;
}

void VrrpSocketHandle::Wait(std::chrono::milliseconds timeout) {
  Ref();  // the JS object stays alive while the loop may call back into it
  uv_poll_start(poll_, UV_READABLE, OnReadable);
  uv_timer_start(timer_, OnTimeout, static_cast<uint64_t>(timeout.count()), 0);
}

void VrrpSocketHandle::Settle(const std::function<void(Napi::Promise::Deferred&)>& settle) {
  std::unique_ptr<Napi::Promise::Deferred> deferred = std::move(waiting_);
  if (poll_ != nullptr) {
    uv_poll_stop(poll_);
    uv_timer_stop(timer_);
  }
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  Napi::CallbackScope callback_scope(env, async_context_);
  settle(*deferred);
  Unref();
}

void VrrpSocketHandle::OnReadable(uv_poll_t* poll, int status, int /*events*/) {
  auto* self = static_cast<VrrpSocketHandle*>(poll->data);
  if (!self->waiting_) return;
  if (status < 0) {
    self->Settle([self, status](Napi::Promise::Deferred& deferred) {
      deferred.Reject(ErrnoError(self->Env(), ipvs::Step::kWait, -status,
                                 "wait for the VRRP socket on the event loop")
                          .Value());
    });
    return;
  }
  vrrp::Datagram datagram;
  try {
    if (!self->socket_->TryReceive(&datagram)) return;  // woken for nothing: keep waiting
  } catch (const ipvs::SystemError& error) {
    self->Settle([self, &error](Napi::Promise::Deferred& deferred) {
      deferred.Reject(ErrnoError(self->Env(), error).Value());
    });
    return;
  }
  self->Settle([self, &datagram](Napi::Promise::Deferred& deferred) {
    deferred.Resolve(DatagramToJs(self->Env(), datagram));
  });
}

void VrrpSocketHandle::OnTimeout(uv_timer_t* timer) {
  auto* self = static_cast<VrrpSocketHandle*>(timer->data);
  if (!self->waiting_) return;
  self->Settle([self](Napi::Promise::Deferred& deferred) { deferred.Resolve(self->Env().Null()); });
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
