// The kernel's replies as JS values, built on the main thread. (Requests come the other way as
// packed binary records: see packed_request.h.)
#pragma once

#include <napi.h>

#include <vector>

#include "ipvs/types.h"

namespace addon {

// A plain success without data (the common case in big batches) becomes the number 0; anything
// else becomes an object with the errno, the kernel's message and the data the command returned.
Napi::Value ReplyToJs(Napi::Env env, ipvs::Command command, const ipvs::Reply& reply);

// One entry per request, as execute() resolves.
Napi::Array RepliesToJs(Napi::Env env, const std::vector<ipvs::Request>& requests,
                        const std::vector<ipvs::Reply>& replies);

}  // namespace addon
