#include "addon/errors.h"

namespace addon {

void TagError(const Napi::Error& error, ipvs::Step step, int errnum) {
  Napi::Env env = error.Env();
  error.Set("errno", Napi::Number::New(env, errnum));
  error.Set("step", Napi::String::New(env, ipvs::StepName(step)));
}

Napi::Error ErrnoError(Napi::Env env, ipvs::Step step, int errnum, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  TagError(error, step, errnum);
  return error;
}

Napi::Error ErrnoError(Napi::Env env, const ipvs::SystemError& error) {
  return ErrnoError(env, error.step(), error.errnum(), error.what());
}

}  // namespace addon
