#include "addon/inline_policy.h"

namespace addon {

bool InlinePolicy::Allows(const std::vector<ipvs::Request>& requests) const {
  if (requests.empty() || requests.size() > kMaxRequests) return false;
  for (const ipvs::Request& request : requests) {
    switch (request.command) {
      case ipvs::Command::kNewDest:
      case ipvs::Command::kSetDest:
      case ipvs::Command::kDelDest:
      case ipvs::Command::kDelService:
      case ipvs::Command::kGetService:
      case ipvs::Command::kGetInfo:
      case ipvs::Command::kGetConfig:
      case ipvs::Command::kSetConfig:
        break;
      case ipvs::Command::kZero:
        if (!request.has_service) return false;
        break;
      case ipvs::Command::kNewService:
      case ipvs::Command::kSetService:
        if (!Loaded(request.service.scheduler) || !Loaded(request.service.pe_name)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

void InlinePolicy::Learn(const std::vector<ipvs::Request>& requests,
                         const std::vector<ipvs::Reply>& replies) {
  for (size_t i = 0; i < requests.size() && i < replies.size(); ++i) {
    const ipvs::Request& request = requests[i];
    if (replies[i].error != 0) continue;
    if (request.command != ipvs::Command::kNewService &&
        request.command != ipvs::Command::kSetService) {
      continue;
    }
    if (!request.service.scheduler.empty()) loaded_.insert(request.service.scheduler);
    if (!request.service.pe_name.empty()) loaded_.insert(request.service.pe_name);
  }
}

}  // namespace addon
