// Errors handed to JS keep the errno, so that TypeScript can build an IpvsError with its code.
#pragma once

#include <napi.h>

#include <string>

namespace addon {

Napi::Error ErrnoError(Napi::Env env, int errnum, const std::string& message);

}  // namespace addon
