// A C++ vector as a JS array, one element converted by `convert(env, item)` at a time. Shared by
// the reply converters (IPVS daemons, rtnetlink links, addresses and routes).
#pragma once

#include <napi.h>

#include <vector>

namespace addon {

template <typename T, typename Convert>
Napi::Array ArrayToJs(Napi::Env env, const std::vector<T>& items, Convert convert) {
  Napi::Array array = Napi::Array::New(env, items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    array.Set(static_cast<uint32_t>(i), convert(env, items[i]));
  }
  return array;
}

}  // namespace addon
