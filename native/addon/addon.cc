// The addon's entry point: registers the exported functions.
#include <napi.h>

#include "socket/netns.h"
#include "socket/system_error.h"

namespace {

Napi::Error ToJsError(Napi::Env env, const ipvs::SystemError& error) {
  Napi::Error js = Napi::Error::New(env, error.what());
  js.Set("errno", Napi::Number::New(env, error.errnum()));
  return js;
}

// Moves the calling (main) thread into a fresh network namespace. Used by the test harness so
// that every test file, and every process it spawns, works on IPVS tables of its own.
Napi::Value UnshareNetwork(const Napi::CallbackInfo& info) {
  try {
    ipvs::UnshareNetwork();
  } catch (const ipvs::SystemError& error) {
    throw ToJsError(info.Env(), error);
  }
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  exports.Set("unshareNetwork", Napi::Function::New(env, UnshareNetwork, "unshareNetwork"));
  return exports;
}

}  // namespace

NODE_API_MODULE(ipvs_native, Init)
