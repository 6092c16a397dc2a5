// Network namespaces: enter one for the duration of a scope on the calling thread.
//
// Namespaces belong to threads, not processes. A socket keeps the namespace it was created in for
// its whole life, so ipvs-native opens each handle's socket with the opening thread switched into
// the target namespace and then switches the thread straight back.
#pragma once

#include <string>

namespace ipvs {

// An open namespace file (/run/netns/NAME, /proc/PID/ns/net, ...). Owns the descriptor.
class NetnsFile {
 public:
  NetnsFile() = default;
  // Opens `path` and checks that it is a network namespace. Throws SystemError.
  explicit NetnsFile(const std::string& path);
  NetnsFile(NetnsFile&& other) noexcept;
  NetnsFile& operator=(NetnsFile&& other) noexcept;
  NetnsFile(const NetnsFile&) = delete;
  NetnsFile& operator=(const NetnsFile&) = delete;
  ~NetnsFile();

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Switches the calling thread into `target` and back to the thread's previous namespace when the
// scope ends. Throws SystemError when the switch fails; aborts the process if it cannot switch
// back, since a thread left in the wrong namespace would silently program the wrong kernel table.
class ScopedNetns {
 public:
  explicit ScopedNetns(const NetnsFile& target);
  ScopedNetns(const ScopedNetns&) = delete;
  ScopedNetns& operator=(const ScopedNetns&) = delete;
  ~ScopedNetns();

 private:
  NetnsFile previous_;
};

// Moves the calling thread into a new, empty network namespace (unshare(CLONE_NEWNET)).
// The test harness runs it on the main thread of each test worker so that every test file,
// and everything it spawns, gets IPVS tables of its own.
void UnshareNetwork();

}  // namespace ipvs
