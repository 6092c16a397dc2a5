// The AsyncWorkers: JS arguments are converted on the main thread in the constructor, the kernel
// I/O happens in Execute() on a libuv worker thread (no N-API calls there), and results become JS
// values in OnOK/OnError back on the main thread. Each settles a promise.
#pragma once

#include <napi.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "ipvs/client.h"

namespace addon {

class ClientHandle;

// Base: a promise, and the errno of a failure (SystemError) to attach to the rejection.
class PromiseWorker : public Napi::AsyncWorker {
 public:
  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  explicit PromiseWorker(Napi::Env env)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)) {}
  // Runs `io`, turning exceptions into SetError with the errno kept.
  template <typename Io>
  void Guard(Io&& io);
  void OnError(const Napi::Error& error) override;

  Napi::Promise::Deferred deferred_;
  int errnum_ = 0;
};

// open(netnsPath): opens the socket inside the namespace, resolves the IPVS family.
class OpenWorker : public PromiseWorker {
 public:
  OpenWorker(Napi::Env env, std::string netns_path);

 protected:
  void Execute() override;
  void OnOK() override;

 private:
  std::string netns_path_;
  std::shared_ptr<ipvs::Client> client_;
};

class ExecuteWorker : public PromiseWorker {
 public:
  ExecuteWorker(Napi::Env env, ClientHandle* handle, std::vector<ipvs::Request> requests,
                std::chrono::milliseconds timeout);

 protected:
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override;

 private:
  Napi::ObjectReference handle_ref_;  // keeps the JS handle alive while the worker runs
  ClientHandle* handle_;
  std::shared_ptr<ipvs::Client> client_;
  std::vector<ipvs::Request> requests_;
  std::chrono::milliseconds timeout_;
  std::vector<ipvs::Reply> replies_;
};

class ReadProcNetWorker : public PromiseWorker {
 public:
  ReadProcNetWorker(Napi::Env env, std::shared_ptr<ipvs::Client> client, std::string name);

 protected:
  void Execute() override;
  void OnOK() override;

 private:
  std::shared_ptr<ipvs::Client> client_;
  std::string name_;
  std::string contents_;
};

}  // namespace addon
