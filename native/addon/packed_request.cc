#include "addon/packed_request.h"

#include <cstring>
#include <string>
#include <type_traits>

namespace addon {

namespace {

static_assert(std::is_trivially_copyable_v<PackedRequest>, "records are copied as bytes");

ipvs::Address AddressFromPacked(const RecordReader& reader, const PackedText<48>& text,
                                uint16_t family, const char* field) {
  ipvs::Address address;
  if (reader.Address(reader.Text(text, field), family, field, address.bytes)) {
    address.family = family;
  }
  return address;
}

ipvs::Service ServiceFromPacked(const RecordReader& reader, const PackedService& packed) {
  ipvs::Service service;
  service.key.family = packed.family;
  service.key.protocol = packed.protocol;
  service.key.address = AddressFromPacked(reader, packed.address, packed.family, "service.address");
  service.key.port = packed.port;
  service.key.fwmark = packed.fwmark;
  service.scheduler = reader.Text(packed.scheduler, "service.scheduler");
  service.pe_name = reader.Text(packed.pe_name, "service.peName");
  service.flags = packed.flags;
  service.flags_mask = packed.flags_mask;
  service.timeout = packed.timeout;
  service.netmask = packed.netmask;
  return service;
}

ipvs::Dest DestFromPacked(const RecordReader& reader, const PackedDest& packed) {
  ipvs::Dest dest;
  dest.address = AddressFromPacked(reader, packed.address, packed.family, "dest.address");
  dest.port = packed.port;
  dest.fwd_method = packed.fwd_method;
  if (packed.weight < 0) reader.Fail("dest.weight", "is negative");
  dest.weight = packed.weight;
  dest.upper_threshold = packed.upper_threshold;
  dest.lower_threshold = packed.lower_threshold;
  dest.tun_type = packed.tun_type;
  dest.tun_port = packed.tun_port;
  dest.tun_flags = packed.tun_flags;
  return dest;
}

ipvs::Daemon DaemonFromPacked(const RecordReader& reader, const PackedDaemon& packed) {
  ipvs::Daemon daemon;
  daemon.state = packed.state;
  daemon.mcast_ifn = reader.Text(packed.mcast_ifn, "daemon.mcastIfn");
  daemon.syncid = packed.syncid;
  daemon.sync_maxlen = packed.sync_maxlen;
  daemon.mcast_group =
      AddressFromPacked(reader, packed.mcast_group, packed.mcast_family, "daemon.mcastGroup");
  daemon.mcast_port = packed.mcast_port;
  daemon.mcast_ttl = packed.mcast_ttl;
  return daemon;
}

ipvs::Request RequestFromPacked(const RecordReader& reader, const PackedRequest& packed) {
  ipvs::Request request;
  if (packed.command > static_cast<uint32_t>(ipvs::Command::kFlush)) {
    reader.Fail("command", "is unknown: " + std::to_string(packed.command));
  }
  request.command = static_cast<ipvs::Command>(packed.command);
  if (packed.parts & kPackedService) {
    request.has_service = true;
    request.service = ServiceFromPacked(reader, packed.service);
  }
  if (packed.parts & kPackedDest) request.dest = DestFromPacked(reader, packed.dest);
  if (packed.parts & kPackedDaemon) request.daemon = DaemonFromPacked(reader, packed.daemon);
  if (packed.parts & kPackedTimeouts) {
    request.timeouts = {packed.timeouts.tcp, packed.timeouts.tcp_fin, packed.timeouts.udp};
  }
  return request;
}

}  // namespace

std::vector<ipvs::Request> RequestsFromPacked(const uint8_t* data, uint32_t count) {
  std::vector<ipvs::Request> requests;
  requests.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    PackedRequest packed;  // copied out: the JS buffer need not be aligned
    std::memcpy(&packed, data + static_cast<size_t>(i) * sizeof packed, sizeof packed);
    requests.push_back(RequestFromPacked(RecordReader(i), packed));
  }
  return requests;
}

std::vector<ipvs::Request> RequestsFromPackedArgs(const Napi::Value& buffer,
                                                  const Napi::Value& count) {
  uint32_t records = 0;
  const uint8_t* data = PackedRecords(buffer, count, sizeof(PackedRequest), &records);
  try {
    return RequestsFromPacked(data, records);
  } catch (const RecordError& error) {
    throw Napi::TypeError::New(buffer.Env(), error.what());
  }
}

Napi::Object RequestLayoutToJs(Napi::Env env) {
  auto offsets = [env](std::initializer_list<std::pair<const char*, size_t>> fields) {
    Napi::Object object = Napi::Object::New(env);
    for (const auto& [name, offset] : fields) object.Set(name, static_cast<double>(offset));
    return object;
  };
  constexpr size_t kService = offsetof(PackedRequest, service);
  constexpr size_t kDest = offsetof(PackedRequest, dest);
  constexpr size_t kDaemon = offsetof(PackedRequest, daemon);
  constexpr size_t kTimeouts = offsetof(PackedRequest, timeouts);
  Napi::Object layout = offsets({{"size", sizeof(PackedRequest)},
                                 {"command", offsetof(PackedRequest, command)},
                                 {"parts", offsetof(PackedRequest, parts)},
                                 {"partService", kPackedService},
                                 {"partDest", kPackedDest},
                                 {"partDaemon", kPackedDaemon},
                                 {"partTimeouts", kPackedTimeouts}});
  layout.Set("service", offsets({
                            {"family", kService + offsetof(PackedService, family)},
                            {"protocol", kService + offsetof(PackedService, protocol)},
                            {"port", kService + offsetof(PackedService, port)},
                            {"fwmark", kService + offsetof(PackedService, fwmark)},
                            {"flags", kService + offsetof(PackedService, flags)},
                            {"flagsMask", kService + offsetof(PackedService, flags_mask)},
                            {"timeout", kService + offsetof(PackedService, timeout)},
                            {"netmask", kService + offsetof(PackedService, netmask)},
                            {"address", kService + offsetof(PackedService, address)},
                            {"scheduler", kService + offsetof(PackedService, scheduler)},
                            {"peName", kService + offsetof(PackedService, pe_name)},
                        }));
  layout.Set("dest", offsets({
                         {"family", kDest + offsetof(PackedDest, family)},
                         {"port", kDest + offsetof(PackedDest, port)},
                         {"fwdMethod", kDest + offsetof(PackedDest, fwd_method)},
                         {"weight", kDest + offsetof(PackedDest, weight)},
                         {"upperThreshold", kDest + offsetof(PackedDest, upper_threshold)},
                         {"lowerThreshold", kDest + offsetof(PackedDest, lower_threshold)},
                         {"tunPort", kDest + offsetof(PackedDest, tun_port)},
                         {"tunFlags", kDest + offsetof(PackedDest, tun_flags)},
                         {"tunType", kDest + offsetof(PackedDest, tun_type)},
                         {"address", kDest + offsetof(PackedDest, address)},
                     }));
  layout.Set("daemon", offsets({
                           {"state", kDaemon + offsetof(PackedDaemon, state)},
                           {"syncId", kDaemon + offsetof(PackedDaemon, syncid)},
                           {"syncMaxlen", kDaemon + offsetof(PackedDaemon, sync_maxlen)},
                           {"mcastFamily", kDaemon + offsetof(PackedDaemon, mcast_family)},
                           {"mcastPort", kDaemon + offsetof(PackedDaemon, mcast_port)},
                           {"mcastTtl", kDaemon + offsetof(PackedDaemon, mcast_ttl)},
                           {"mcastIfn", kDaemon + offsetof(PackedDaemon, mcast_ifn)},
                           {"mcastGroup", kDaemon + offsetof(PackedDaemon, mcast_group)},
                       }));
  layout.Set("timeouts", offsets({
                             {"tcp", kTimeouts + offsetof(PackedTimeouts, tcp)},
                             {"tcpFin", kTimeouts + offsetof(PackedTimeouts, tcp_fin)},
                             {"udp", kTimeouts + offsetof(PackedTimeouts, udp)},
                         }));
  return layout;
}

}  // namespace addon
