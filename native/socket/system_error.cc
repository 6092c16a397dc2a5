#include "socket/system_error.h"

#include <cstring>

namespace ipvs {

const char* StepName(Step step) {
  switch (step) {
    case Step::kNetnsOpen:
      return "netns-open";
    case Step::kNetnsEnter:
      return "netns-enter";
    case Step::kNetnsUnshare:
      return "netns-unshare";
    case Step::kSocket:
      return "socket";
    case Step::kResolveFamily:
      return "resolve-family";
    case Step::kProbe:
      return "probe";
    case Step::kWait:
      return "wait";
    case Step::kProcRead:
      return "proc-read";
    case Step::kSysctl:
      return "sysctl";
    case Step::kClosed:
      return "closed";
    case Step::kBusy:
      return "busy";
    case Step::kSend:
      return "send";
    case Step::kReceive:
      return "receive";
  }
  return "unknown";
}

SystemError::SystemError(Step step, int errnum, const std::string& what_was_attempted)
    : std::runtime_error(what_was_attempted + ": " + std::strerror(errnum)),
      errnum_(errnum),
      step_(step) {}

}  // namespace ipvs
