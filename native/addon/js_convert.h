// JS values <-> IPVS structs, on the main thread. Every read checks the JS type and throws a
// TypeError naming the field, so that no input can crash the process even if it slipped past the
// TypeScript validation (which is where users get their detailed errors).
#pragma once

#include <napi.h>

#include <vector>

#include "ipvs/types.h"

namespace addon {

ipvs::Request RequestFromJs(const Napi::Value& value);
std::vector<ipvs::Request> RequestsFromJs(const Napi::Value& value);

// A plain success without data (the common case in big batches) becomes the number 0; anything
// else becomes an object with the errno, the kernel's message and the data the command returned.
Napi::Value ReplyToJs(Napi::Env env, ipvs::Command command, const ipvs::Reply& reply);

}  // namespace addon
