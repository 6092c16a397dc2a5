#include "addon/announcer_handle.h"

#include <arpa/inet.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <utility>

#include "addon/addon_data.h"
#include "addon/errors.h"
#include "addon/promise_worker.h"
#include "socket/netns.h"
#include "socket/system_error.h"
#include "vrrp/gratuitous_arp.h"
#include "vrrp/neighbour_advert.h"

namespace addon {

namespace {

// An announced address: IPv4 or IPv6 by its spelling, or a TypeError naming it.
struct Target {
  bool ipv6 = false;
  vrrp::Ipv4 v4{};
  vrrp::Ipv6 v6{};
};

Target TargetFromJs(Napi::Env env, const Napi::Value& value, const char* usage) {
  if (!value.IsString()) throw Napi::TypeError::New(env, usage);
  const std::string text = value.As<Napi::String>().Utf8Value();
  Target target;
  if (::inet_pton(AF_INET, text.c_str(), target.v4.data()) == 1) return target;
  if (::inet_pton(AF_INET6, text.c_str(), target.v6.data()) == 1) {
    target.ipv6 = true;
    return target;
  }
  throw Napi::TypeError::New(env, std::string(usage) +
                                      ": address must be an IPv4 or IPv6 "
                                      "address, got " +
                                      text);
}

std::string MacText(const vrrp::Mac& mac) {
  char text[18];
  std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                mac[4], mac[5]);
  return text;
}

class AnnouncerOpenWorker : public PromiseWorker {
 public:
  AnnouncerOpenWorker(Napi::Env env, std::string netns_path, std::string ifname)
      : PromiseWorker(env), netns_path_(std::move(netns_path)), ifname_(std::move(ifname)) {}

 protected:
  void Execute() override {
    Guard([&] {
      announcer_ = std::make_shared<vrrp::Announcer>(ipvs::NetnsFile(netns_path_), ifname_);
    });
  }

  void OnOK() override {
    Napi::Env env = Env();
    auto* owned = new std::shared_ptr<vrrp::Announcer>(std::move(announcer_));
    auto external = Napi::External<std::shared_ptr<vrrp::Announcer>>::New(
        env, owned, [](Napi::Env, std::shared_ptr<vrrp::Announcer>* p) { delete p; });
    deferred_.Resolve(AddonData::Of(env).announcer_constructor.New({external}));
  }

 private:
  std::string netns_path_;
  std::string ifname_;
  std::shared_ptr<vrrp::Announcer> announcer_;
};

// announcerOpen(netnsPath, ifname): Promise<NativeAnnouncer>.
Napi::Value AnnouncerOpen(const Napi::CallbackInfo& info) {
  if (info.Length() != 2 || !info[0].IsString() || !info[1].IsString())
    throw Napi::TypeError::New(info.Env(), "announcerOpen(netnsPath, ifname)");
  auto* worker = new AnnouncerOpenWorker(info.Env(), info[0].As<Napi::String>().Utf8Value(),
                                         info[1].As<Napi::String>().Utf8Value());
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// encodeAnnouncement(hardwareAddress: Uint8Array(6), address): Buffer, the ARP packet or the
// ICMPv6 message announce() would send (golden tests).
Napi::Value EncodeAnnouncement(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "encodeAnnouncement(hardwareAddress: Uint8Array(6), address: string)";
  if (info.Length() != 2 || !info[0].IsTypedArray()) throw Napi::TypeError::New(env, usage);
  auto bytes = info[0].As<Napi::Uint8Array>();
  if (bytes.TypedArrayType() != napi_uint8_array || bytes.ByteLength() != 6)
    throw Napi::TypeError::New(env, usage);
  vrrp::Mac mac{};
  std::copy(bytes.Data(), bytes.Data() + 6, mac.begin());
  const Target target = TargetFromJs(env, info[1], usage);
  if (target.ipv6) {
    const auto message = vrrp::EncodeNeighbourAdvert(mac, target.v6);
    return Napi::Buffer<uint8_t>::Copy(env, message.data(), message.size());
  }
  const auto packet = vrrp::EncodeGratuitousArp(mac, target.v4);
  return Napi::Buffer<uint8_t>::Copy(env, packet.data(), packet.size());
}

}  // namespace

Napi::Function AnnouncerHandle::Define(Napi::Env env) {
  return DefineClass(env, "NativeAnnouncer",
                     {
                         InstanceMethod<&AnnouncerHandle::Announce>("announce"),
                         InstanceMethod<&AnnouncerHandle::CloseMethod>("close"),
                         InstanceAccessor<&AnnouncerHandle::Ifindex>("ifindex"),
                         InstanceAccessor<&AnnouncerHandle::HardwareAddress>("hardwareAddress"),
                     });
}

AnnouncerHandle::AnnouncerHandle(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<AnnouncerHandle>(info) {
  if (info.Length() != 1 || !info[0].IsExternal())
    throw Napi::TypeError::New(info.Env(),
                               "NativeAnnouncer is created by announcerOpen(), not by new");
  announcer_ = *info[0].As<Napi::External<std::shared_ptr<vrrp::Announcer>>>().Data();
  AddonData::Of(info.Env()).live_announcers.insert(this);
}

AnnouncerHandle::~AnnouncerHandle() {
  if (AddonData* data = Env().GetInstanceData<AddonData>()) data->live_announcers.erase(this);
  Close();
}

void AnnouncerHandle::Close() {
  announcer_.reset();
}

Napi::Value AnnouncerHandle::Announce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "announce(address: string)";
  if (info.Length() != 1) throw Napi::TypeError::New(env, usage);
  const Target target = TargetFromJs(env, info[0], usage);
  if (!announcer_) throw ErrnoError(env, ipvs::Step::kClosed, EBADF, "the announcer is closed");
  try {
    if (target.ipv6)
      announcer_->AnnounceIpv6(target.v6);
    else
      announcer_->AnnounceIpv4(target.v4);
  } catch (const ipvs::SystemError& error) {
    throw ErrnoError(env, error);
  }
  return env.Undefined();
}

Napi::Value AnnouncerHandle::CloseMethod(const Napi::CallbackInfo& info) {
  Close();
  return info.Env().Undefined();
}

Napi::Value AnnouncerHandle::Ifindex(const Napi::CallbackInfo& info) {
  return announcer_ ? Napi::Number::New(info.Env(), announcer_->ifindex()) : info.Env().Undefined();
}

Napi::Value AnnouncerHandle::HardwareAddress(const Napi::CallbackInfo& info) {
  return announcer_ ? Napi::String::New(info.Env(), MacText(announcer_->mac()))
                    : info.Env().Undefined();
}

void RegisterAnnouncer(Napi::Env env, Napi::Object exports) {
  AddonData::Of(env).announcer_constructor = Napi::Persistent(AnnouncerHandle::Define(env));
  exports.Set("announcerOpen", Napi::Function::New(env, AnnouncerOpen, "announcerOpen"));
  exports.Set("encodeAnnouncement",
              Napi::Function::New(env, EncodeAnnouncement, "encodeAnnouncement"));
}

}  // namespace addon
