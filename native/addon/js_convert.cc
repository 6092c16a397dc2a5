#include "addon/js_convert.h"

#include "addon/address_text.h"
#include "addon/array_to_js.h"
#include "addon/reply_tables.h"

#include <cstring>
#include <string>

namespace addon {

namespace {

Napi::Object DaemonToJs(Napi::Env env, const ipvs::Daemon& daemon) {
  Napi::Object js = Napi::Object::New(env);
  js.Set("state", daemon.state);
  js.Set("mcastIfn", daemon.mcast_ifn);
  js.Set("syncId", daemon.syncid);
  js.Set("syncMaxlen", daemon.sync_maxlen);
  js.Set("mcastFamily", daemon.mcast_group.family);
  js.Set("mcastGroup", AddressText(daemon.mcast_group));
  js.Set("mcastPort", daemon.mcast_port);
  js.Set("mcastTtl", daemon.mcast_ttl);
  return js;
}

}  // namespace

Napi::Value ReplyToJs(Napi::Env env, ipvs::Command command, const ipvs::Reply& reply) {
  using ipvs::Command;
  const bool returns_data = command == Command::kGetService || command == Command::kGetServices ||
                            command == Command::kGetDests || command == Command::kGetDaemons ||
                            command == Command::kGetConfig || command == Command::kGetInfo;
  if (reply.error == 0 && !returns_data) return Napi::Number::New(env, 0);
  Napi::Object js = Napi::Object::New(env);
  js.Set("error", reply.error);
  if (!reply.error_message.empty()) js.Set("message", reply.error_message);
  if (reply.error_offset) js.Set("offset", *reply.error_offset);
  if (reply.error != 0) return js;
  switch (command) {
    case Command::kGetService:
    case Command::kGetServices:
      js.Set("services", ServicesToTable(env, reply.services));
      break;
    case Command::kGetDests:
      js.Set("dests", DestsToTable(env, reply.dests));
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

Napi::Array RepliesToJs(Napi::Env env, const std::vector<ipvs::Request>& requests,
                        const std::vector<ipvs::Reply>& replies) {
  Napi::Array results = Napi::Array::New(env, replies.size());
  for (size_t i = 0; i < replies.size(); ++i) {
    results.Set(static_cast<uint32_t>(i), ReplyToJs(env, requests[i].command, replies[i]));
  }
  return results;
}

}  // namespace addon
