// Errors handed to JS keep the errno and name the failed step (NativeError in
// lib/kernel/native.ts), so that TypeScript builds an IpvsError with its code without ever reading
// the message.
#pragma once

#include <napi.h>

#include <string>

#include "socket/system_error.h"

namespace addon {

Napi::Error ErrnoError(Napi::Env env, ipvs::Step step, int errnum, const std::string& message);
Napi::Error ErrnoError(Napi::Env env, const ipvs::SystemError& error);

// Sets `errno` and `step` on an error built elsewhere (an AsyncWorker's).
void TagError(const Napi::Error& error, ipvs::Step step, int errnum);

}  // namespace addon
