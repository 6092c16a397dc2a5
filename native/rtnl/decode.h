// Length-checked decoding of rtnetlink dump messages (links, addresses, routes) into Reply.
#pragma once

#include "nl/reader.h"
#include "rtnl/types.h"

namespace rtnl {

// Adds what `message` (one part of the dump `request` asked for) describes to `reply`. Messages
// of other types are ignored. False when the message is malformed.
bool DecodeMessage(const Request& request, const nl::Message& message, Reply* reply);

}  // namespace rtnl
