// Generic netlink family resolution: a family's name to the id its messages carry.
#pragma once

#include <chrono>
#include <cstdint>

#include "socket/genl_socket.h"

namespace ipvs {

// CTRL_CMD_GETFAMILY over `socket`. Throws SystemError: ENOENT when the kernel has no family of
// that name (for IPVS: the ip_vs module is not loaded), ETIMEDOUT when the controller does not
// answer in time, or the controller's own errno.
uint16_t ResolveGenlFamily(GenlSocket* socket, const char* name, std::chrono::milliseconds timeout);

}  // namespace ipvs
