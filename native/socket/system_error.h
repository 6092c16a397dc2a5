// An OS call that failed: the errno, the step of the native work it belongs to, and what was
// being attempted.
#pragma once

#include <stdexcept>
#include <string>

namespace ipvs {

// Which step failed. The step crosses to JS as a stable name (StepName; the NativeStep union in
// lib/kernel/native.ts), so that TypeScript tells failures apart by code; the text is for people
// and may change.
enum class Step {
  kNetnsOpen,      // opening a network namespace file (the target, or the thread's own)
  kNetnsEnter,     // setns() into the target namespace
  kNetnsUnshare,   // unshare(CLONE_NEWNET)
  kSocket,         // creating, binding or configuring a netlink socket
  kResolveFamily,  // resolving a generic netlink family (IPVS absent: ENOENT)
  kProbe,          // open's GET_INFO request, which checks that IPVS answers us (EPERM)
  kWait,           // poll() on the socket during an exchange
  kProcRead,       // reading a file below /proc/net
  kSysctl,         // reading or writing a /proc/sys value
  kClosed,         // the handle is closed (EBADF; raised by the addon, not by an OS call)
  kBusy,           // an exchange already runs on the handle (EBUSY; likewise)
  kSend,           // sending a datagram (VRRP's raw socket)
  kReceive,        // receiving one
};

// "netns-open", "netns-enter", ...: the names JS sees.
const char* StepName(Step step);

class SystemError : public std::runtime_error {
 public:
  SystemError(Step step, int errnum, const std::string& what_was_attempted);
  int errnum() const { return errnum_; }
  Step step() const { return step_; }

 private:
  int errnum_;
  Step step_;
};

}  // namespace ipvs
