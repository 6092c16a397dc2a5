#include "addon/packed_net_request.h"

#include <sys/socket.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>

namespace addon {

namespace {

static_assert(std::is_trivially_copyable_v<PackedNetRequest>, "records are copied as bytes");

// The op names JS uses; a record's `op` is an index into this table (exported as `ops`).
constexpr std::pair<const char*, rtnl::Op> kOps[] = {
    {"getLinks", rtnl::Op::kGetLinks},         {"setLinkUp", rtnl::Op::kSetLinkUp},
    {"setLinkDown", rtnl::Op::kSetLinkDown},   {"ensureIpip", rtnl::Op::kEnsureIpip},
    {"addAddress", rtnl::Op::kAddAddress},     {"delAddress", rtnl::Op::kDelAddress},
    {"getAddresses", rtnl::Op::kGetAddresses}, {"getRoutes", rtnl::Op::kGetRoutes},
    {"readSysctl", rtnl::Op::kReadSysctl},     {"writeSysctl", rtnl::Op::kWriteSysctl},
};
constexpr size_t kOpCount = sizeof kOps / sizeof kOps[0];

rtnl::Request NetRequestFromPacked(const RecordReader& reader, const PackedNetRequest& packed) {
  rtnl::Request request;
  if (packed.op >= kOpCount) reader.Fail("op", "is unknown: " + std::to_string(packed.op));
  request.op = kOps[packed.op].second;
  request.ifname = reader.Text(packed.ifname, "ifname");
  request.label = reader.Text(packed.label, "label");
  request.path = reader.Text(packed.path, "path");
  request.value = reader.Text(packed.value, "value");
  request.family = packed.family;
  const std::string address = reader.Text(packed.address, "address");
  const uint8_t family = address.find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (reader.Address(address, family, "address", request.address.bytes)) {
    request.address.family = family;
  }
  const bool needs_address =
      request.op == rtnl::Op::kAddAddress || request.op == rtnl::Op::kDelAddress;
  if (needs_address && request.address.family == 0) reader.Fail("address", "is missing");
  const unsigned max_prefix = request.address.family == AF_INET6 ? 128 : 32;
  if (packed.prefix_len > max_prefix) {
    reader.Fail("prefixLength", "is out of range 0-" + std::to_string(max_prefix) + ": " +
                                    std::to_string(packed.prefix_len));
  }
  request.prefix_len = packed.prefix_len;
  return request;
}

}  // namespace

std::vector<rtnl::Request> NetRequestsFromPackedArgs(const Napi::Value& buffer,
                                                     const Napi::Value& count) {
  uint32_t records = 0;
  const uint8_t* data = PackedRecords(buffer, count, sizeof(PackedNetRequest), &records);
  std::vector<rtnl::Request> requests;
  requests.reserve(records);
  try {
    for (uint32_t i = 0; i < records; ++i) {
      PackedNetRequest packed;  // copied out: the JS buffer need not be aligned
      std::memcpy(&packed, data + static_cast<size_t>(i) * sizeof packed, sizeof packed);
      requests.push_back(NetRequestFromPacked(RecordReader(i), packed));
    }
  } catch (const RecordError& error) {
    throw Napi::TypeError::New(buffer.Env(), error.what());
  }
  return requests;
}

Napi::Object NetRequestLayoutToJs(Napi::Env env) {
  auto numbers = [env](std::initializer_list<std::pair<const char*, size_t>> fields) {
    Napi::Object object = Napi::Object::New(env);
    for (const auto& [name, number] : fields) object.Set(name, static_cast<double>(number));
    return object;
  };
  using P = PackedNetRequest;
  Napi::Object layout = numbers({
      {"size", sizeof(P)},
      {"op", offsetof(P, op)},
      {"family", offsetof(P, family)},
      {"prefixLength", offsetof(P, prefix_len)},
      {"ifname", offsetof(P, ifname)},
      {"address", offsetof(P, address)},
      {"label", offsetof(P, label)},
      {"path", offsetof(P, path)},
      {"value", offsetof(P, value)},
  });
  layout.Set("capacity", numbers({
                             {"ifname", decltype(P::ifname)::kCapacity},
                             {"address", decltype(P::address)::kCapacity},
                             {"label", decltype(P::label)::kCapacity},
                             {"path", decltype(P::path)::kCapacity},
                             {"value", decltype(P::value)::kCapacity},
                         }));
  Napi::Object ops = Napi::Object::New(env);
  for (size_t i = 0; i < kOpCount; ++i) ops.Set(kOps[i].first, static_cast<double>(i));
  layout.Set("ops", ops);
  return layout;
}

}  // namespace addon
