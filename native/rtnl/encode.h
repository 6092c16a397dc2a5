// rtnetlink requests as netlink messages, encoded as iproute2's `ip` sends them (golden bytes in
// test/fixtures/iproute2-golden.json), except where a comment in encode.cc says otherwise.
#pragma once

#include <cstdint>
#include <vector>

#include "nl/writer.h"
#include "rtnl/types.h"

namespace rtnl {

// Appends `request` as one message. `ifindex` is the device's index for address requests (the
// kernel wants an index there, not a name). False when it does not fit, or for a sysctl request.
bool AppendRequest(const Request& request, uint32_t ifindex, uint32_t seq, nl::Writer* writer);

// The one message AppendRequest would write, for the golden tests.
bool EncodeRequest(const Request& request, uint32_t ifindex, uint32_t seq,
                   std::vector<uint8_t>* out);

}  // namespace rtnl
