// The IPVS handle's AsyncWorkers (addon/promise_worker.h says how they run).
#pragma once

#include <napi.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "addon/promise_worker.h"
#include "ipvs/client.h"

namespace addon {

class ClientHandle;

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
  // What the promise resolves with: one entry per request (execute()), or every request a
  // destination dump and all their rows in one table (dumpDestinations(), DestDumpsToJs).
  enum class ReplyForm { kPerRequest, kDestTable };

  ExecuteWorker(Napi::Env env, ClientHandle* handle, std::vector<ipvs::Request> requests,
                std::chrono::milliseconds timeout);
  // With the requests still packed (addon/packed_request.h): Execute() reads them first, and a
  // bad record rejects with its RecordError's message.
  ExecuteWorker(Napi::Env env, ClientHandle* handle, std::vector<uint8_t> packed, uint32_t count,
                std::chrono::milliseconds timeout, ReplyForm form = ReplyForm::kPerRequest);

 protected:
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override;

 private:
  Napi::ObjectReference handle_ref_;  // keeps the JS handle alive while the worker runs
  ClientHandle* handle_;
  std::shared_ptr<ipvs::Client> client_;
  std::vector<ipvs::Request> requests_;
  std::vector<uint8_t> packed_;
  uint32_t packed_count_ = 0;
  ReplyForm form_ = ReplyForm::kPerRequest;
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
