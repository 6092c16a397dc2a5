#include "addon/js_convert.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

namespace addon {

namespace {

Napi::Object AsObject(const Napi::Value& value, const char* what) {
  if (!value.IsObject())
    throw Napi::TypeError::New(value.Env(), std::string(what) + " must be an object");
  return value.As<Napi::Object>();
}

// Optional unsigned integer field: absent or undefined gives `fallback`.
uint32_t U32Field(const Napi::Object& object, const char* name, uint32_t max,
                  uint32_t fallback = 0) {
  Napi::Value value = object.Get(name);
  if (value.IsUndefined()) return fallback;
  if (!value.IsNumber())
    throw Napi::TypeError::New(object.Env(), std::string(name) + " must be a number");
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= 0 && number <= max) ||
      number != static_cast<double>(static_cast<uint64_t>(number))) {
    throw Napi::RangeError::New(object.Env(), std::string(name) + " is out of range");
  }
  return static_cast<uint32_t>(number);
}

std::string StringField(const Napi::Object& object, const char* name) {
  Napi::Value value = object.Get(name);
  if (value.IsUndefined()) return {};
  if (!value.IsString())
    throw Napi::TypeError::New(object.Env(), std::string(name) + " must be a string");
  return value.As<Napi::String>().Utf8Value();
}

// An address field as text ("192.168.8.200", "2001:db8::1"); "" leaves it unset.
ipvs::Address AddressField(const Napi::Object& object, const char* name, uint16_t family) {
  ipvs::Address address;
  const std::string text = StringField(object, name);
  if (text.empty()) return address;
  if (family != AF_INET && family != AF_INET6) {
    throw Napi::TypeError::New(object.Env(),
                               std::string(name) + " needs a family of AF_INET or AF_INET6");
  }
  if (inet_pton(family, text.c_str(), address.bytes) != 1) {
    throw Napi::TypeError::New(object.Env(),
                               std::string(name) + " is not a valid address: " + text);
  }
  address.family = family;
  return address;
}

ipvs::Service ServiceFromJs(const Napi::Object& object) {
  ipvs::Service service;
  service.key.family = static_cast<uint16_t>(U32Field(object, "family", UINT16_MAX));
  service.key.protocol = static_cast<uint16_t>(U32Field(object, "protocol", UINT16_MAX));
  service.key.address = AddressField(object, "address", service.key.family);
  service.key.port = static_cast<uint16_t>(U32Field(object, "port", UINT16_MAX));
  service.key.fwmark = U32Field(object, "fwmark", UINT32_MAX);
  service.scheduler = StringField(object, "scheduler");
  service.pe_name = StringField(object, "peName");
  service.flags = U32Field(object, "flags", UINT32_MAX);
  service.flags_mask = U32Field(object, "flagsMask", UINT32_MAX);
  service.timeout = U32Field(object, "timeout", UINT32_MAX);
  service.netmask = U32Field(object, "netmask", UINT32_MAX);
  return service;
}

ipvs::Dest DestFromJs(const Napi::Object& object) {
  ipvs::Dest dest;
  const auto family = static_cast<uint16_t>(U32Field(object, "family", UINT16_MAX));
  dest.address = AddressField(object, "address", family);
  dest.port = static_cast<uint16_t>(U32Field(object, "port", UINT16_MAX));
  dest.fwd_method = U32Field(object, "fwdMethod", UINT32_MAX);
  dest.weight = static_cast<int32_t>(U32Field(object, "weight", INT32_MAX));
  dest.upper_threshold = U32Field(object, "upperThreshold", UINT32_MAX);
  dest.lower_threshold = U32Field(object, "lowerThreshold", UINT32_MAX);
  dest.tun_type = static_cast<uint8_t>(U32Field(object, "tunType", UINT8_MAX));
  dest.tun_port = static_cast<uint16_t>(U32Field(object, "tunPort", UINT16_MAX));
  dest.tun_flags = static_cast<uint16_t>(U32Field(object, "tunFlags", UINT16_MAX));
  return dest;
}

ipvs::Daemon DaemonFromJs(const Napi::Object& object) {
  ipvs::Daemon daemon;
  daemon.state = U32Field(object, "state", UINT32_MAX);
  daemon.mcast_ifn = StringField(object, "mcastIfn");
  daemon.syncid = U32Field(object, "syncId", UINT32_MAX);
  daemon.sync_maxlen = static_cast<uint16_t>(U32Field(object, "syncMaxlen", UINT16_MAX));
  const auto group_family = static_cast<uint16_t>(U32Field(object, "mcastFamily", UINT16_MAX));
  daemon.mcast_group = AddressField(object, "mcastGroup", group_family);
  daemon.mcast_port = static_cast<uint16_t>(U32Field(object, "mcastPort", UINT16_MAX));
  daemon.mcast_ttl = static_cast<uint8_t>(U32Field(object, "mcastTtl", UINT8_MAX));
  return daemon;
}

ipvs::Timeouts TimeoutsFromJs(const Napi::Object& object) {
  ipvs::Timeouts timeouts;
  timeouts.tcp = U32Field(object, "tcp", UINT32_MAX);
  timeouts.tcp_fin = U32Field(object, "tcpFin", UINT32_MAX);
  timeouts.udp = U32Field(object, "udp", UINT32_MAX);
  return timeouts;
}

Napi::Value AddressToJs(Napi::Env env, const ipvs::Address& address) {
  char text[INET6_ADDRSTRLEN] = "";
  if (address.family != AF_INET && address.family != AF_INET6) return env.Undefined();
  if (inet_ntop(address.family, address.bytes, text, sizeof text) == nullptr)
    return env.Undefined();
  return Napi::String::New(env, text);
}

Napi::Object StatsToJs(Napi::Env env, const ipvs::Stats& stats) {
  Napi::Object js = Napi::Object::New(env);
  js.Set("conns", Napi::BigInt::New(env, stats.conns));
  js.Set("inPkts", Napi::BigInt::New(env, stats.inpkts));
  js.Set("outPkts", Napi::BigInt::New(env, stats.outpkts));
  js.Set("inBytes", Napi::BigInt::New(env, stats.inbytes));
  js.Set("outBytes", Napi::BigInt::New(env, stats.outbytes));
  js.Set("cps", Napi::BigInt::New(env, stats.cps));
  js.Set("inPps", Napi::BigInt::New(env, stats.inpps));
  js.Set("outPps", Napi::BigInt::New(env, stats.outpps));
  js.Set("inBps", Napi::BigInt::New(env, stats.inbps));
  js.Set("outBps", Napi::BigInt::New(env, stats.outbps));
  return js;
}

Napi::Object ServiceToJs(Napi::Env env, const ipvs::Service& service) {
  Napi::Object js = Napi::Object::New(env);
  js.Set("family", service.key.family);
  js.Set("protocol", service.key.protocol);
  js.Set("address", AddressToJs(env, service.key.address));
  js.Set("port", service.key.port);
  js.Set("fwmark", service.key.fwmark);
  js.Set("scheduler", service.scheduler);
  js.Set("peName", service.pe_name);
  js.Set("flags", service.flags);
  js.Set("timeout", service.timeout);
  js.Set("netmask", service.netmask);
  js.Set("stats", StatsToJs(env, service.stats));
  return js;
}

Napi::Object DestToJs(Napi::Env env, const ipvs::Dest& dest) {
  Napi::Object js = Napi::Object::New(env);
  js.Set("family", dest.address.family);
  js.Set("address", AddressToJs(env, dest.address));
  js.Set("port", dest.port);
  js.Set("fwdMethod", dest.fwd_method);
  js.Set("weight", dest.weight);
  js.Set("upperThreshold", dest.upper_threshold);
  js.Set("lowerThreshold", dest.lower_threshold);
  js.Set("tunType", dest.tun_type);
  js.Set("tunPort", dest.tun_port);
  js.Set("tunFlags", dest.tun_flags);
  js.Set("activeConns", dest.active_conns);
  js.Set("inactiveConns", dest.inactive_conns);
  js.Set("persistentConns", dest.persistent_conns);
  js.Set("stats", StatsToJs(env, dest.stats));
  return js;
}

Napi::Object DaemonToJs(Napi::Env env, const ipvs::Daemon& daemon) {
  Napi::Object js = Napi::Object::New(env);
  js.Set("state", daemon.state);
  js.Set("mcastIfn", daemon.mcast_ifn);
  js.Set("syncId", daemon.syncid);
  js.Set("syncMaxlen", daemon.sync_maxlen);
  js.Set("mcastFamily", daemon.mcast_group.family);
  js.Set("mcastGroup", AddressToJs(env, daemon.mcast_group));
  js.Set("mcastPort", daemon.mcast_port);
  js.Set("mcastTtl", daemon.mcast_ttl);
  return js;
}

template <typename T, typename Convert>
Napi::Array ArrayToJs(Napi::Env env, const std::vector<T>& items, Convert convert) {
  Napi::Array array = Napi::Array::New(env, items.size());
  for (size_t i = 0; i < items.size(); ++i)
    array.Set(static_cast<uint32_t>(i), convert(env, items[i]));
  return array;
}

}  // namespace

ipvs::Request RequestFromJs(const Napi::Value& value) {
  Napi::Object object = AsObject(value, "request");
  ipvs::Request request;
  const uint32_t command =
      U32Field(object, "command", static_cast<uint32_t>(ipvs::Command::kFlush));
  request.command = static_cast<ipvs::Command>(command);
  Napi::Value service = object.Get("service");
  if (!service.IsUndefined()) {
    request.has_service = true;
    request.service = ServiceFromJs(AsObject(service, "service"));
  }
  Napi::Value dest = object.Get("dest");
  if (!dest.IsUndefined()) request.dest = DestFromJs(AsObject(dest, "dest"));
  Napi::Value daemon = object.Get("daemon");
  if (!daemon.IsUndefined()) request.daemon = DaemonFromJs(AsObject(daemon, "daemon"));
  Napi::Value timeouts = object.Get("timeouts");
  if (!timeouts.IsUndefined()) request.timeouts = TimeoutsFromJs(AsObject(timeouts, "timeouts"));
  return request;
}

std::vector<ipvs::Request> RequestsFromJs(const Napi::Value& value) {
  if (!value.IsArray()) throw Napi::TypeError::New(value.Env(), "requests must be an array");
  Napi::Array array = value.As<Napi::Array>();
  std::vector<ipvs::Request> requests;
  requests.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) requests.push_back(RequestFromJs(array.Get(i)));
  return requests;
}

Napi::Value ReplyToJs(Napi::Env env, ipvs::Command command, const ipvs::Reply& reply) {
  using ipvs::Command;
  const bool returns_data = command == Command::kGetService || command == Command::kGetServices ||
                            command == Command::kGetDests || command == Command::kGetDaemons ||
                            command == Command::kGetConfig || command == Command::kGetInfo;
  if (reply.error == 0 && !returns_data) return Napi::Number::New(env, 0);
  Napi::Object js = Napi::Object::New(env);
  js.Set("error", reply.error);
  if (!reply.error_message.empty()) js.Set("message", reply.error_message);
  if (reply.error != 0) return js;
  switch (command) {
    case Command::kGetService:
    case Command::kGetServices:
      js.Set("services", ArrayToJs(env, reply.services, ServiceToJs));
      break;
    case Command::kGetDests:
      js.Set("dests", ArrayToJs(env, reply.dests, DestToJs));
      break;
    case Command::kGetDaemons:
      js.Set("daemons", ArrayToJs(env, reply.daemons, DaemonToJs));
      break;
    case Command::kGetConfig: {
      Napi::Object timeouts = Napi::Object::New(env);
      timeouts.Set("tcp", reply.timeouts.tcp);
      timeouts.Set("tcpFin", reply.timeouts.tcp_fin);
      timeouts.Set("udp", reply.timeouts.udp);
      js.Set("timeouts", timeouts);
      break;
    }
    case Command::kGetInfo: {
      Napi::Object info = Napi::Object::New(env);
      info.Set("version", reply.info.version);
      info.Set("connTableSize", reply.info.conn_table_size);
      js.Set("info", info);
      break;
    }
    default:
      break;
  }
  return js;
}

}  // namespace addon
