// Requests to IPVS generic netlink messages, attribute for attribute as the kernel's
// net/netfilter/ipvs/ip_vs_ctl.c parses them.
#pragma once

#include <cstdint>

#include "ipvs/types.h"
#include "nl/writer.h"

namespace ipvs {

// Whether the kernel answers `command` with a multipart dump (NLM_F_DUMP) rather than an ack.
bool IsDumpCommand(Command command);

// Appends one complete message for `request` to `writer`. Returns false, with the writer rewound
// to where it was, when the message does not fit or cannot be encoded (a NUL inside a name).
bool AppendRequest(const Request& request, uint16_t family_id, uint32_t seq, nl::Writer* writer);

}  // namespace ipvs
