// The kernel's IPVS and socket constants, handed to TypeScript straight from the headers so that
// no value is ever retyped by hand.
#pragma once

#include <napi.h>

namespace addon {

Napi::Object ConstantsToJs(Napi::Env env);

}  // namespace addon
