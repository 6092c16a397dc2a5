#include "socket/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "socket/system_error.h"

namespace ipvs {

namespace {

// The calling thread's own namespace: /proc/thread-self, not /proc/self, which names the main
// thread and would be wrong on a worker thread.
constexpr const char* kThreadNetns = "/proc/thread-self/ns/net";

}  // namespace

NetnsFile::NetnsFile(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw SystemError(Step::kNetnsOpen, errno, "open network namespace " + path);
}

NetnsFile::NetnsFile(NetnsFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

NetnsFile& NetnsFile::operator=(NetnsFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

NetnsFile::~NetnsFile() {
  if (fd_ >= 0) ::close(fd_);
}

ScopedNetns::ScopedNetns(const NetnsFile& target) : previous_(kThreadNetns) {
  // setns() itself checks that the descriptor is a network namespace (EINVAL otherwise).
  if (::setns(target.fd(), CLONE_NEWNET) != 0) {
    throw SystemError(Step::kNetnsEnter, errno, "enter network namespace");
  }
}

ScopedNetns::~ScopedNetns() {
  if (::setns(previous_.fd(), CLONE_NEWNET) != 0) {
    std::fprintf(
        stderr, "ipvs-native: cannot return to the previous network namespace (errno %d)\n", errno);
    std::abort();
  }
}

void UnshareNetwork() {
  if (::unshare(CLONE_NEWNET) != 0)
    throw SystemError(Step::kNetnsUnshare, errno, "unshare network namespace");
}

}  // namespace ipvs
