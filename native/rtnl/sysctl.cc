#include "rtnl/sysctl.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "socket/system_error.h"

namespace rtnl {

namespace {

// Only the per-namespace network settings: net/ and plain names, no "..", nothing that could
// reach a global setting of the machine.
bool IsNetSysctl(const std::string& path) {
  if (path.rfind("net/", 0) != 0 || path.find("..") != std::string::npos) return false;
  for (const char c : path) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '-' || c == '.' || c == '/';
    if (!plain) return false;
  }
  return true;
}

std::string FullPath(const std::string& path, const char* what) {
  if (!IsNetSysctl(path))
    throw ipvs::SystemError(ipvs::Step::kSysctl, EINVAL, std::string(what) + " " + path);
  return "/proc/sys/" + path;
}

class Fd {
 public:
  Fd(const std::string& path, int flags) : fd_(::open(path.c_str(), flags | O_CLOEXEC)) {
    if (fd_ < 0) throw ipvs::SystemError(ipvs::Step::kSysctl, errno, "open " + path);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { ::close(fd_); }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string ReadSysctl(const std::string& path) {
  const std::string full = FullPath(path, "read sysctl");
  Fd fd(full, O_RDONLY);
  std::string value;
  char buffer[256];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n > 0) {
      value.append(buffer, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      throw ipvs::SystemError(ipvs::Step::kSysctl, errno, "read " + full);
    }
  }
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
  return value;
}

void WriteSysctl(const std::string& path, const std::string& value) {
  const std::string full = FullPath(path, "write sysctl");
  Fd fd(full, O_WRONLY);
  const std::string line = value + "\n";
  // The kernel takes a sysctl value in one write; a short write would leave half a value.
  ssize_t n;
  do {
    n = ::write(fd.get(), line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw ipvs::SystemError(ipvs::Step::kSysctl, errno, "write " + full);
  if (static_cast<size_t>(n) != line.size())
    throw ipvs::SystemError(ipvs::Step::kSysctl, EIO, "short write to " + full);
}

}  // namespace rtnl
