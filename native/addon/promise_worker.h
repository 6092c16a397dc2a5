// The base of the addon's AsyncWorkers: JS arguments are converted on the main thread in the
// constructor, the kernel I/O happens in Execute() on a libuv worker thread (no N-API calls
// there), and results become JS values in OnOK/OnError back on the main thread. Each settles a
// promise; a failure rejects it with the errno and step of the SystemError (addon/errors.h).
#pragma once

#include <napi.h>

#include <exception>
#include <optional>
#include <utility>

#include "addon/errors.h"
#include "socket/system_error.h"

namespace addon {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  explicit PromiseWorker(Napi::Env env)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)) {}

  // Runs `io` (in Execute()), turning an exception into SetError with its errno and step kept.
  template <typename Io>
  void Guard(Io&& io) {
    try {
      std::forward<Io>(io)();
    } catch (const ipvs::SystemError& error) {
      failure_.emplace(error.step(), error.errnum());
      SetError(error.what());
    } catch (const std::exception& error) {
      SetError(error.what());
    }
  }

  void OnError(const Napi::Error& error) override {
    if (failure_) TagError(error, failure_->first, failure_->second);
    deferred_.Reject(error.Value());
  }

  Napi::Promise::Deferred deferred_;

 private:
  std::optional<std::pair<ipvs::Step, int>> failure_;  // the SystemError's step and errno
};

}  // namespace addon
