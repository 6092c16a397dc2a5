#include "addon/errors.h"

namespace addon {

Napi::Error ErrnoError(Napi::Env env, int errnum, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("errno", Napi::Number::New(env, errnum));
  return error;
}

}  // namespace addon
