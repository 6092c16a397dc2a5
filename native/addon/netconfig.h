// The addon's network-configuration entry points (lib/native.ts: netConfig, encodeNetRequest):
// rtnetlink and /proc/sys requests run inside a namespace on a worker thread, for the real-server
// preparation and the director and real-server checks.
#pragma once

#include <napi.h>

namespace addon {

// Adds netConfig, encodeNetRequest and netRequestLayout to the addon's exports.
void RegisterNetConfig(Napi::Env env, Napi::Object exports);

}  // namespace addon
