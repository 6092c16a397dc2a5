// IPVS replies to plain structs. Every function checks lengths and required attributes and
// returns false on anything malformed or truncated, leaving the output in an unspecified but
// valid state; unknown attributes (newer kernels) are skipped.
#pragma once

#include <cstdint>

#include "ipvs/types.h"
#include "nl/reader.h"

namespace ipvs {

// One IPVS_CMD_NEW_SERVICE message (a GET_SERVICE reply or one part of its dump).
bool DecodeService(const nl::GenlMessage& message, Service* out);
// One IPVS_CMD_NEW_DEST message. A kernel that does not report the destination's own family
// (before 4.3) means the service's: `service_family`.
bool DecodeDest(const nl::GenlMessage& message, uint16_t service_family, Dest* out);
// One IPVS_CMD_NEW_DAEMON message.
bool DecodeDaemon(const nl::GenlMessage& message, Daemon* out);
// The IPVS_CMD_SET_CONFIG reply to GET_CONFIG. A timeout the kernel does not report (its
// protocol compiled out) stays 0.
bool DecodeTimeouts(const nl::GenlMessage& message, Timeouts* out);
// The IPVS_CMD_SET_INFO reply to GET_INFO.
bool DecodeInfo(const nl::GenlMessage& message, Info* out);

// Adds what one reply message (not an ack or NLMSG_DONE) says to `reply`, according to the
// command it answers. `request` supplies the service family for destinations.
bool DecodeReplyMessage(const Request& request, const nl::Message& message, Reply* reply);

}  // namespace ipvs
