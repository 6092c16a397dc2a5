#include "socket/system_error.h"

#include <cstring>

namespace ipvs {

SystemError::SystemError(int errnum, const std::string& what_was_attempted)
    : std::runtime_error(what_was_attempted + ": " + std::strerror(errnum)), errnum_(errnum) {}

}  // namespace ipvs
