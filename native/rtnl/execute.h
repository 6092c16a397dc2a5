// Runs network configuration requests inside a network namespace, in order, one at a time:
// rtnetlink over a NETLINK_ROUTE socket opened in that namespace (with socket/exchange.h's
// deadline, overrun and dump-restart handling), sysctls through /proc/sys from the same thread.
// Called on a worker thread; the thread returns to its own namespace afterwards.
#pragma once

#include <chrono>
#include <vector>

#include "rtnl/types.h"
#include "socket/netns.h"

namespace rtnl {

// One Reply per request; a refused request does not stop the ones after it. Throws SystemError
// only when the namespace cannot be entered or the socket cannot be opened.
std::vector<Reply> Execute(const ipvs::NetnsFile& netns, const std::vector<Request>& requests,
                           std::chrono::milliseconds timeout);

}  // namespace rtnl
