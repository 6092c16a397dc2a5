#include "addon/workers.h"

#include <stdexcept>
#include <string>
#include <utility>

#include "addon/addon_data.h"
#include "addon/client_handle.h"
#include "addon/js_convert.h"
#include "addon/packed_request.h"
#include "addon/reply_tables.h"

namespace addon {

OpenWorker::OpenWorker(Napi::Env env, std::string netns_path)
    : PromiseWorker(env), netns_path_(std::move(netns_path)) {}

void OpenWorker::Execute() {
  Guard([&] { client_ = ipvs::Client::Open(ipvs::NetnsFile(netns_path_)); });
}

void OpenWorker::OnOK() {
  Napi::Env env = Env();
  auto* owned = new std::shared_ptr<ipvs::Client>(std::move(client_));
  auto external = Napi::External<std::shared_ptr<ipvs::Client>>::New(
      env, owned, [](Napi::Env, std::shared_ptr<ipvs::Client>* p) { delete p; });
  deferred_.Resolve(AddonData::Of(env).client_constructor.New({external}));
}

ExecuteWorker::ExecuteWorker(Napi::Env env, ClientHandle* handle,
                             std::vector<ipvs::Request> requests, std::chrono::milliseconds timeout)
    : PromiseWorker(env),
      handle_ref_(Napi::Persistent(handle->Value())),
      handle_(handle),
      client_(handle->client_),
      requests_(std::move(requests)),
      timeout_(timeout) {
  handle_->busy_ = true;
}

ExecuteWorker::ExecuteWorker(Napi::Env env, ClientHandle* handle, std::vector<uint8_t> packed,
                             uint32_t count, std::chrono::milliseconds timeout, ReplyForm form)
    : ExecuteWorker(env, handle, std::vector<ipvs::Request>{}, timeout) {
  packed_ = std::move(packed);
  packed_count_ = count;
  form_ = form;
}

void ExecuteWorker::Execute() {
  Guard([&] {
    if (packed_count_ > 0) {
      requests_ = RequestsFromPacked(packed_.data(), packed_count_);
      packed_ = {};
    }
    if (form_ == ReplyForm::kDestTable) {
      for (size_t i = 0; i < requests_.size(); ++i) {
        if (requests_[i].command != ipvs::Command::kGetDests) {
          throw std::invalid_argument("dumpDestinations: record " + std::to_string(i) +
                                      " is not a destination dump");
        }
      }
    }
    replies_ = client_->Execute(requests_, timeout_);
  });
}

void ExecuteWorker::OnOK() {
  handle_->busy_ = false;
  handle_->inline_policy_.Learn(requests_, replies_);
  deferred_.Resolve(form_ == ReplyForm::kDestTable ? DestDumpsToJs(Env(), replies_)
                                                   : RepliesToJs(Env(), requests_, replies_));
}

void ExecuteWorker::OnError(const Napi::Error& error) {
  handle_->busy_ = false;
  PromiseWorker::OnError(error);
}

ReadProcNetWorker::ReadProcNetWorker(Napi::Env env, std::shared_ptr<ipvs::Client> client,
                                     std::string name)
    : PromiseWorker(env), client_(std::move(client)), name_(std::move(name)) {}

void ReadProcNetWorker::Execute() {
  Guard([&] { contents_ = client_->ReadProcNet(name_.c_str()); });
}

void ReadProcNetWorker::OnOK() {
  deferred_.Resolve(Napi::String::New(Env(), contents_));
}

}  // namespace addon
