// timeoutMs as execute() and netConfig() take it: milliseconds, 1 up to the library's one cap
// (ipvs::kMaxPatience, exported as constants.MAX_TIMEOUT_MS). Throws a RangeError otherwise.
#pragma once

#include <napi.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "socket/exchange.h"

namespace addon {

inline std::chrono::milliseconds TimeoutFromJs(const Napi::Value& value) {
  const double max = static_cast<double>(ipvs::kMaxPatience.count());
  const double ms = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : 0;
  if (!(ms >= 1 && ms <= max)) {
    throw Napi::RangeError::New(value.Env(), "timeoutMs must be between 1 and " +
                                                 std::to_string(ipvs::kMaxPatience.count()));
  }
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

}  // namespace addon
