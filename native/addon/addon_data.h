// Per-instance addon state (one per Node environment: main thread or worker_threads), held as
// the environment's instance data: no globals. Closes every live handle when the environment is
// torn down, so that sockets never outlive it.
#pragma once

#include <napi.h>

#include <unordered_set>

namespace addon {

class AnnouncerHandle;
class ClientHandle;
class VrrpSocketHandle;

struct AddonData {
  Napi::FunctionReference client_constructor;
  std::unordered_set<ClientHandle*> live_handles;
  Napi::FunctionReference vrrp_constructor;
  std::unordered_set<VrrpSocketHandle*> live_vrrp_sockets;
  Napi::FunctionReference announcer_constructor;
  std::unordered_set<AnnouncerHandle*> live_announcers;

  static AddonData& Of(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }
  ~AddonData();
};

}  // namespace addon
