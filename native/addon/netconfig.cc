#include "addon/netconfig.h"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "addon/address_text.h"
#include "addon/array_to_js.h"
#include "addon/packed_net_request.h"
#include "addon/promise_worker.h"
#include "addon/timeout.h"
#include "rtnl/encode.h"
#include "rtnl/execute.h"
#include "socket/netns.h"

namespace addon {

namespace {

Napi::Object LinkToJs(Napi::Env env, const rtnl::Link& link) {
  Napi::Object item = Napi::Object::New(env);
  item.Set("index", link.index);
  item.Set("name", link.name);
  item.Set("flags", link.flags);
  item.Set("kind", link.kind);
  return item;
}

Napi::Object AddressEntryToJs(Napi::Env env, const rtnl::AddressEntry& entry) {
  Napi::Object item = Napi::Object::New(env);
  item.Set("ifindex", entry.ifindex);
  item.Set("family", entry.address.family);
  item.Set("address", AddressText(entry.address));
  item.Set("prefixLength", entry.prefix_len);
  item.Set("scope", entry.scope);
  item.Set("label", entry.label);
  return item;
}

Napi::Object RouteToJs(Napi::Env env, const rtnl::Route& route) {
  Napi::Object item = Napi::Object::New(env);
  item.Set("family", route.family);
  item.Set("dst", AddressText(route.dst));
  item.Set("dstLength", route.dst_len);
  item.Set("table", route.table);
  item.Set("type", route.type);
  if (route.has_gateway) item.Set("gateway", AddressText(route.gateway));
  item.Set("oif", route.oif);
  return item;
}

Napi::Value ReplyToJs(Napi::Env env, const rtnl::Reply& reply) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("error", reply.error);
  if (!reply.message.empty()) object.Set("message", reply.message);
  if (reply.offset) object.Set("offset", *reply.offset);
  if (reply.error != 0) return object;
  object.Set("links", ArrayToJs(env, reply.links, LinkToJs));
  object.Set("addresses", ArrayToJs(env, reply.addresses, AddressEntryToJs));
  object.Set("routes", ArrayToJs(env, reply.routes, RouteToJs));
  object.Set("value", reply.value);
  return object;
}

class NetConfigWorker : public PromiseWorker {
 public:
  NetConfigWorker(Napi::Env env, std::string netns_path, std::vector<rtnl::Request> requests,
                  std::chrono::milliseconds timeout)
      : PromiseWorker(env),
        netns_path_(std::move(netns_path)),
        requests_(std::move(requests)),
        timeout_(timeout) {}

 protected:
  void Execute() override {
    Guard([&] { replies_ = rtnl::Execute(ipvs::NetnsFile(netns_path_), requests_, timeout_); });
  }

  void OnOK() override { deferred_.Resolve(ArrayToJs(Env(), replies_, ReplyToJs)); }

 private:
  std::string netns_path_;
  std::vector<rtnl::Request> requests_;
  std::chrono::milliseconds timeout_;
  std::vector<rtnl::Reply> replies_;
};

// netConfig(netnsPath, packed, count, timeoutMs): Promise<reply[]>, one reply per request, in
// order.
Napi::Value NetConfig(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 4 || !info[0].IsString()) {
    throw Napi::TypeError::New(env, "netConfig(netnsPath, packedRequests, count, timeoutMs)");
  }
  std::vector<rtnl::Request> requests = NetRequestsFromPackedArgs(info[1], info[2]);
  auto* worker = new NetConfigWorker(env, info[0].As<Napi::String>().Utf8Value(),
                                     std::move(requests), TimeoutFromJs(info[3]));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// encodeNetRequest(packed, ifindex, seq): Buffer, the message netConfig would send for the first
// packed record.
Napi::Value EncodeNetRequest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3 || !info[1].IsNumber() || !info[2].IsNumber()) {
    throw Napi::TypeError::New(env, "encodeNetRequest(packed, ifindex, seq)");
  }
  const rtnl::Request request = NetRequestsFromPackedArgs(info[0], Napi::Number::New(env, 1))[0];
  std::vector<uint8_t> bytes;
  if (!rtnl::EncodeRequest(request, info[1].As<Napi::Number>().Uint32Value(),
                           info[2].As<Napi::Number>().Uint32Value(), &bytes)) {
    throw Napi::TypeError::New(env, "this request has no netlink message");
  }
  return Napi::Buffer<uint8_t>::Copy(env, bytes.data(), bytes.size());
}

}  // namespace

void RegisterNetConfig(Napi::Env env, Napi::Object exports) {
  exports.Set("netConfig", Napi::Function::New(env, NetConfig, "netConfig"));
  exports.Set("encodeNetRequest", Napi::Function::New(env, EncodeNetRequest, "encodeNetRequest"));
  exports.Set("netRequestLayout", NetRequestLayoutToJs(env));
}

}  // namespace addon
