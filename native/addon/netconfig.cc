#include "addon/netconfig.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <chrono>
#include <exception>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "addon/array_to_js.h"
#include "addon/workers.h"
#include "rtnl/encode.h"
#include "rtnl/execute.h"
#include "socket/netns.h"
#include "socket/system_error.h"

namespace addon {

namespace {

const std::map<std::string, rtnl::Op>& OpsByName() {
  static const std::map<std::string, rtnl::Op> ops = {
      {"getLinks", rtnl::Op::kGetLinks},         {"setLinkUp", rtnl::Op::kSetLinkUp},
      {"setLinkDown", rtnl::Op::kSetLinkDown},   {"ensureIpip", rtnl::Op::kEnsureIpip},
      {"addAddress", rtnl::Op::kAddAddress},     {"delAddress", rtnl::Op::kDelAddress},
      {"getAddresses", rtnl::Op::kGetAddresses}, {"getRoutes", rtnl::Op::kGetRoutes},
      {"readSysctl", rtnl::Op::kReadSysctl},     {"writeSysctl", rtnl::Op::kWriteSysctl},
  };
  return ops;
}

std::string StringField(const Napi::Object& object, const char* name) {
  Napi::Value value = object.Get(name);
  if (value.IsUndefined()) return {};
  if (!value.IsString()) {
    throw Napi::TypeError::New(object.Env(), std::string(name) + " must be a string");
  }
  return value.As<Napi::String>().Utf8Value();
}

uint32_t U32Field(const Napi::Object& object, const char* name, uint32_t max) {
  Napi::Value value = object.Get(name);
  if (value.IsUndefined()) return 0;
  if (!value.IsNumber()) {
    throw Napi::TypeError::New(object.Env(), std::string(name) + " must be a number");
  }
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= 0 && number <= max) ||
      number != static_cast<double>(static_cast<uint32_t>(number))) {
    throw Napi::RangeError::New(object.Env(), std::string(name) + " is out of range");
  }
  return static_cast<uint32_t>(number);
}

rtnl::Request RequestFromJs(const Napi::Value& value) {
  Napi::Env env = value.Env();
  if (!value.IsObject()) throw Napi::TypeError::New(env, "a request must be an object");
  const Napi::Object object = value.As<Napi::Object>();
  rtnl::Request request;
  const std::string op = StringField(object, "op");
  const auto found = OpsByName().find(op);
  if (found == OpsByName().end()) throw Napi::TypeError::New(env, "unknown op: " + op);
  request.op = found->second;
  request.ifname = StringField(object, "ifname");
  if (request.ifname.size() >= 16) throw Napi::RangeError::New(env, "ifname is too long");
  const std::string address = StringField(object, "address");
  if (!address.empty()) {
    const int family = address.find(':') == std::string::npos ? AF_INET : AF_INET6;
    if (inet_pton(family, address.c_str(), request.address.bytes) != 1) {
      throw Napi::TypeError::New(env, "address is not a valid address: " + address);
    }
    request.address.family = static_cast<uint8_t>(family);
  }
  request.prefix_len = static_cast<uint8_t>(
      U32Field(object, "prefixLength", request.address.family == AF_INET6 ? 128 : 32));
  request.label = StringField(object, "label");
  if (request.label.size() >= 16) throw Napi::RangeError::New(env, "label is too long");
  request.family = static_cast<uint8_t>(U32Field(object, "family", 255));
  request.path = StringField(object, "path");
  request.value = StringField(object, "value");
  const bool needs_address =
      request.op == rtnl::Op::kAddAddress || request.op == rtnl::Op::kDelAddress;
  if (needs_address && request.address.family == 0) {
    throw Napi::TypeError::New(env, op + " needs an address");
  }
  return request;
}

Napi::String AddressToJs(Napi::Env env, const rtnl::IpAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(address.family, address.bytes, text, sizeof text);
  return Napi::String::New(env, text);
}

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
  item.Set("address", AddressToJs(env, entry.address));
  item.Set("prefixLength", entry.prefix_len);
  item.Set("scope", entry.scope);
  item.Set("label", entry.label);
  return item;
}

Napi::Object RouteToJs(Napi::Env env, const rtnl::Route& route) {
  Napi::Object item = Napi::Object::New(env);
  item.Set("family", route.family);
  item.Set("dst", AddressToJs(env, route.dst));
  item.Set("dstLength", route.dst_len);
  item.Set("table", route.table);
  item.Set("type", route.type);
  if (route.has_gateway) item.Set("gateway", AddressToJs(env, route.gateway));
  item.Set("oif", route.oif);
  return item;
}

Napi::Value ReplyToJs(Napi::Env env, const rtnl::Reply& reply) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("error", reply.error);
  if (!reply.message.empty()) object.Set("message", reply.message);
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
    try {
      replies_ = rtnl::Execute(ipvs::NetnsFile(netns_path_), requests_, timeout_);
    } catch (const ipvs::SystemError& error) {
      errnum_ = error.errnum();
      SetError(error.what());
    } catch (const std::exception& error) {
      SetError(error.what());
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Array results = Napi::Array::New(env, replies_.size());
    for (size_t i = 0; i < replies_.size(); ++i) {
      results.Set(static_cast<uint32_t>(i), ReplyToJs(env, replies_[i]));
    }
    deferred_.Resolve(results);
  }

 private:
  std::string netns_path_;
  std::vector<rtnl::Request> requests_;
  std::chrono::milliseconds timeout_;
  std::vector<rtnl::Reply> replies_;
};

// netConfig(netnsPath, requests, timeoutMs): Promise<reply[]>, one reply per request, in order.
Napi::Value NetConfig(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3 || !info[0].IsString() || !info[1].IsArray() || !info[2].IsNumber()) {
    throw Napi::TypeError::New(env, "netConfig(netnsPath, requests, timeoutMs)");
  }
  const Napi::Array array = info[1].As<Napi::Array>();
  std::vector<rtnl::Request> requests;
  requests.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) requests.push_back(RequestFromJs(array.Get(i)));
  const double timeout = info[2].As<Napi::Number>().DoubleValue();
  if (!(timeout > 0 && timeout <= 3.6e6))
    throw Napi::RangeError::New(env, "timeoutMs is out of range");
  auto* worker =
      new NetConfigWorker(env, info[0].As<Napi::String>().Utf8Value(), std::move(requests),
                          std::chrono::milliseconds(static_cast<int64_t>(timeout)));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// encodeNetRequest(request, ifindex, seq): Buffer, the message netConfig would send.
Napi::Value EncodeNetRequest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3 || !info[1].IsNumber() || !info[2].IsNumber()) {
    throw Napi::TypeError::New(env, "encodeNetRequest(request, ifindex, seq)");
  }
  const rtnl::Request request = RequestFromJs(info[0]);
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
}

}  // namespace addon
