// /proc/sys values of the calling thread's network namespace. /proc/sys/net resolves the
// namespace of the task that opens the file, so a worker thread that has entered a namespace
// (ScopedNetns) reads and writes that namespace's values.
#pragma once

#include <string>

namespace rtnl {

// `path` is relative to /proc/sys and must lie under net/ (e.g. net/ipv4/conf/lo/arp_ignore).
// The value without its trailing newline. Throws SystemError (EINVAL for a path outside net/).
std::string ReadSysctl(const std::string& path);
void WriteSysctl(const std::string& path, const std::string& value);

}  // namespace rtnl
