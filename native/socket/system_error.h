// An OS call that failed: the errno and what was being attempted.
#pragma once

#include <stdexcept>
#include <string>

namespace ipvs {

class SystemError : public std::runtime_error {
 public:
  SystemError(int errnum, const std::string& what_was_attempted);
  int errnum() const { return errnum_; }

 private:
  int errnum_;
};

}  // namespace ipvs
