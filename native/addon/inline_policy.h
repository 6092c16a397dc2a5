// Which exchanges run on the JS thread instead of a worker thread.
//
// The kernel handles a generic netlink request inside sendmsg() and queues its ack before the
// call returns, so a small exchange is over as soon as its syscalls are: there is nothing to wait
// for. Handing it to a worker thread and back cost two thread wake-ups, about 2 ms per call in the
// lab (more than the kernel's work by two orders of magnitude), which is what an awaited call one
// at a time paid. A small exchange of commands that cannot stall runs inline instead.
//
// What can stall: loading a module. IPVS loads a scheduler or persistence-engine module on first
// use (request_module, which runs modprobe and waits for it), so a service add or edit runs inline
// only once this handle has seen the kernel accept its scheduler and engine. Dumps (their size is
// the table's), flush, zero of everything and the sync daemons (which start kernel threads) always
// go to a worker.
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "ipvs/types.h"

namespace addon {

class InlinePolicy {
 public:
  // At most this many requests inline: a bound on how long the JS thread can be held.
  static constexpr size_t kMaxRequests = 64;

  bool Allows(const std::vector<ipvs::Request>& requests) const;
  // Remembers the modules the kernel accepted (services added or edited without error).
  void Learn(const std::vector<ipvs::Request>& requests, const std::vector<ipvs::Reply>& replies);

 private:
  bool Loaded(const std::string& module) const {
    return module.empty() || loaded_.count(module) != 0;
  }
  std::unordered_set<std::string> loaded_;
};

}  // namespace addon
