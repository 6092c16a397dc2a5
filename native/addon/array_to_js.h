// A C++ sequence (a vector or a plain array) as a JS array, one element converted by
// `convert(env, item)` at a time. Shared by the reply converters (IPVS daemons, rtnetlink links,
// addresses, routes and replies) and the layout tables' column names.
#pragma once

#include <napi.h>

#include <iterator>

namespace addon {

template <typename Items, typename Convert>
Napi::Array ArrayToJs(Napi::Env env, const Items& items, Convert convert) {
  const size_t count = std::size(items);
  Napi::Array array = Napi::Array::New(env, count);
  for (size_t i = 0; i < count; ++i) {
    array.Set(static_cast<uint32_t>(i), convert(env, items[i]));
  }
  return array;
}

}  // namespace addon
