#include "addon/constants.h"

#include <linux/ip_vs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "ipvs/types.h"
#include "socket/exchange.h"

namespace addon {

Napi::Object ConstantsToJs(Napi::Env env) {
  Napi::Object constants = Napi::Object::New(env);
#define EXPORT_CONSTANT(name) \
  constants.Set(#name, Napi::Number::New(env, static_cast<double>(name)))
  EXPORT_CONSTANT(AF_INET);
  EXPORT_CONSTANT(AF_INET6);
  EXPORT_CONSTANT(IPPROTO_TCP);
  EXPORT_CONSTANT(IPPROTO_UDP);
  EXPORT_CONSTANT(IPPROTO_SCTP);
  EXPORT_CONSTANT(IP_VS_SVC_F_PERSISTENT);
  EXPORT_CONSTANT(IP_VS_SVC_F_HASHED);
  EXPORT_CONSTANT(IP_VS_SVC_F_ONEPACKET);
  EXPORT_CONSTANT(IP_VS_SVC_F_SCHED1);
  EXPORT_CONSTANT(IP_VS_SVC_F_SCHED2);
  EXPORT_CONSTANT(IP_VS_SVC_F_SCHED3);
  EXPORT_CONSTANT(IP_VS_SVC_F_SCHED_SH_FALLBACK);
  EXPORT_CONSTANT(IP_VS_SVC_F_SCHED_SH_PORT);
  EXPORT_CONSTANT(IP_VS_CONN_F_FWD_MASK);
  EXPORT_CONSTANT(IP_VS_CONN_F_MASQ);
  EXPORT_CONSTANT(IP_VS_CONN_F_LOCALNODE);
  EXPORT_CONSTANT(IP_VS_CONN_F_TUNNEL);
  EXPORT_CONSTANT(IP_VS_CONN_F_DROUTE);
  EXPORT_CONSTANT(IP_VS_CONN_F_BYPASS);
  EXPORT_CONSTANT(IP_VS_CONN_F_TUNNEL_TYPE_IPIP);
  EXPORT_CONSTANT(IP_VS_CONN_F_TUNNEL_TYPE_GUE);
  EXPORT_CONSTANT(IP_VS_CONN_F_TUNNEL_TYPE_GRE);
  EXPORT_CONSTANT(IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM);
  EXPORT_CONSTANT(IP_VS_TUNNEL_ENCAP_FLAG_CSUM);
  EXPORT_CONSTANT(IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM);
  EXPORT_CONSTANT(IP_VS_STATE_NONE);
  EXPORT_CONSTANT(IP_VS_STATE_MASTER);
  EXPORT_CONSTANT(IP_VS_STATE_BACKUP);
  EXPORT_CONSTANT(IP_VS_SCHEDNAME_MAXLEN);
  EXPORT_CONSTANT(IP_VS_PENAME_MAXLEN);
  EXPORT_CONSTANT(IP_VS_IFNAME_MAXLEN);
#undef EXPORT_CONSTANT
  // The longest timeoutMs execute() and netConfig() accept; lib/ validates against it.
  constants.Set("MAX_TIMEOUT_MS",
                Napi::Number::New(env, static_cast<double>(ipvs::kMaxPatience.count())));

  // The addon's own command numbers (ipvs::Command), by name.
  Napi::Object commands = Napi::Object::New(env);
#define EXPORT_COMMAND(name, value) \
  commands.Set(name, Napi::Number::New(env, static_cast<int>(value)))
  using ipvs::Command;
  EXPORT_COMMAND("newService", Command::kNewService);
  EXPORT_COMMAND("setService", Command::kSetService);
  EXPORT_COMMAND("delService", Command::kDelService);
  EXPORT_COMMAND("getService", Command::kGetService);
  EXPORT_COMMAND("getServices", Command::kGetServices);
  EXPORT_COMMAND("newDest", Command::kNewDest);
  EXPORT_COMMAND("setDest", Command::kSetDest);
  EXPORT_COMMAND("delDest", Command::kDelDest);
  EXPORT_COMMAND("getDests", Command::kGetDests);
  EXPORT_COMMAND("newDaemon", Command::kNewDaemon);
  EXPORT_COMMAND("delDaemon", Command::kDelDaemon);
  EXPORT_COMMAND("getDaemons", Command::kGetDaemons);
  EXPORT_COMMAND("setConfig", Command::kSetConfig);
  EXPORT_COMMAND("getConfig", Command::kGetConfig);
  EXPORT_COMMAND("getInfo", Command::kGetInfo);
  EXPORT_COMMAND("zero", Command::kZero);
  EXPORT_COMMAND("flush", Command::kFlush);
#undef EXPORT_COMMAND
  constants.Set("commands", commands);
  return constants;
}

}  // namespace addon
