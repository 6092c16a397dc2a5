#include "addon/reply_tables.h"

#include <cstring>
#include <string>

#include "addon/address_text.h"
#include "addon/array_to_js.h"

namespace addon {

namespace {

constexpr const char* kServiceNumbers[] = {"family", "protocol", "port",   "fwmark",
                                           "flags",  "timeout",  "netmask"};
constexpr const char* kServiceTexts[] = {"address", "scheduler", "peName"};
constexpr const char* kDestNumbers[] = {
    "family",  "port",    "fwdMethod", "weight",      "upperThreshold", "lowerThreshold",
    "tunType", "tunPort", "tunFlags",  "activeConns", "inactiveConns",  "persistentConns"};
constexpr const char* kDestTexts[] = {"address"};
constexpr const char* kStats[] = {"conns", "inPkts", "outPkts", "inBytes", "outBytes",
                                  "cps",   "inPps",  "outPps",  "inBps",   "outBps"};

template <size_t N>
constexpr size_t Width(const char* const (&)[N]) {
  return N;
}

// Text columns are separated by NUL, which none of them can contain.
constexpr char kSeparator = '\0';

void AppendAddress(std::string* texts, const ipvs::Address& address) {
  texts->append(AddressText(address));
  texts->push_back(kSeparator);
}

void AppendText(std::string* texts, const std::string& value) {
  // A NUL inside would shift every later column; the decoder never produces one, but cut there
  // rather than trust it.
  texts->append(value.c_str());
  texts->push_back(kSeparator);
}

void PutStats(uint64_t* out, const ipvs::Stats& s) {
  const uint64_t values[] = {s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes,
                             s.cps,   s.inpps,  s.outpps,  s.inbps,   s.outbps};
  static_assert(sizeof values / sizeof values[0] == Width(kStats), "stats columns");
  std::memcpy(out, values, sizeof values);
}

Napi::Object Table(Napi::Env env, size_t count, Napi::Uint32Array numbers,
                   Napi::BigUint64Array stats, const std::string& texts) {
  Napi::Object table = Napi::Object::New(env);
  table.Set("count", static_cast<double>(count));
  table.Set("numbers", numbers);
  table.Set("stats", stats);
  napi_value text;
  if (napi_create_string_latin1(env, texts.data(), texts.size(), &text) != napi_ok) {
    throw Napi::Error::New(env);
  }
  table.Set("texts", Napi::Value(env, text));
  return table;
}

template <size_t N>
Napi::Array Names(Napi::Env env, const char* const (&names)[N]) {
  return ArrayToJs(env, names,
                   [](Napi::Env env, const char* name) { return Napi::String::New(env, name); });
}

}  // namespace

Napi::Object ServicesToTable(Napi::Env env, const std::vector<ipvs::Service>& services) {
  constexpr size_t kWidth = Width(kServiceNumbers);
  auto numbers = Napi::Uint32Array::New(env, services.size() * kWidth);
  auto stats = Napi::BigUint64Array::New(env, services.size() * Width(kStats));
  std::string texts;
  texts.reserve(services.size() * 24);
  for (size_t i = 0; i < services.size(); ++i) {
    const ipvs::Service& s = services[i];
    const uint32_t row[] = {s.key.family, s.key.protocol, s.key.port, s.key.fwmark,
                            s.flags,      s.timeout,      s.netmask};
    static_assert(sizeof row / sizeof row[0] == kWidth, "service columns");
    std::memcpy(numbers.Data() + i * kWidth, row, sizeof row);
    PutStats(stats.Data() + i * Width(kStats), s.stats);
    AppendAddress(&texts, s.key.address);
    AppendText(&texts, s.scheduler);
    AppendText(&texts, s.pe_name);
  }
  return Table(env, services.size(), numbers, stats, texts);
}

namespace {

constexpr size_t kDestWidth = Width(kDestNumbers);

void PutDest(uint32_t* numbers, uint64_t* stats, std::string* texts, const ipvs::Dest& d) {
  const uint32_t row[] = {d.address.family,  d.port,
                          d.fwd_method,      static_cast<uint32_t>(d.weight),
                          d.upper_threshold, d.lower_threshold,
                          d.tun_type,        d.tun_port,
                          d.tun_flags,       d.active_conns,
                          d.inactive_conns,  d.persistent_conns};
  static_assert(sizeof row / sizeof row[0] == kDestWidth, "destination columns");
  std::memcpy(numbers, row, sizeof row);
  PutStats(stats, d.stats);
  AppendAddress(texts, d.address);
}

}  // namespace

Napi::Object DestsToTable(Napi::Env env, const std::vector<ipvs::Dest>& dests) {
  auto numbers = Napi::Uint32Array::New(env, dests.size() * kDestWidth);
  auto stats = Napi::BigUint64Array::New(env, dests.size() * Width(kStats));
  std::string texts;
  texts.reserve(dests.size() * 16);
  for (size_t i = 0; i < dests.size(); ++i) {
    PutDest(numbers.Data() + i * kDestWidth, stats.Data() + i * Width(kStats), &texts, dests[i]);
  }
  return Table(env, dests.size(), numbers, stats, texts);
}

Napi::Object DestDumpsToJs(Napi::Env env, const std::vector<ipvs::Reply>& replies) {
  size_t total = 0;
  bool any_message = false;
  for (const ipvs::Reply& reply : replies) {
    total += reply.dests.size();
    any_message = any_message || !reply.error_message.empty();
  }
  auto errors = Napi::Int32Array::New(env, replies.size());
  auto ends = Napi::Uint32Array::New(env, replies.size());
  auto numbers = Napi::Uint32Array::New(env, total * kDestWidth);
  auto stats = Napi::BigUint64Array::New(env, total * Width(kStats));
  std::string texts;
  texts.reserve(total * 16);
  size_t row = 0;
  for (size_t i = 0; i < replies.size(); ++i) {
    const ipvs::Reply& reply = replies[i];
    errors[i] = reply.error;
    for (const ipvs::Dest& d : reply.dests) {
      PutDest(numbers.Data() + row * kDestWidth, stats.Data() + row * Width(kStats), &texts, d);
      ++row;
    }
    ends[i] = static_cast<uint32_t>(row);
  }
  Napi::Object js = Napi::Object::New(env);
  js.Set("errors", errors);
  js.Set("ends", ends);
  js.Set("dests", Table(env, total, numbers, stats, texts));
  if (any_message) {
    js.Set("messages", ArrayToJs(env, replies, [](Napi::Env env, const ipvs::Reply& reply) {
             return Napi::String::New(env, reply.error_message);
           }));
  }
  return js;
}

Napi::Object ReplyLayoutToJs(Napi::Env env) {
  Napi::Object layout = Napi::Object::New(env);
  Napi::Object service = Napi::Object::New(env);
  service.Set("numbers", Names(env, kServiceNumbers));
  service.Set("texts", Names(env, kServiceTexts));
  Napi::Object dest = Napi::Object::New(env);
  dest.Set("numbers", Names(env, kDestNumbers));
  dest.Set("texts", Names(env, kDestTexts));
  layout.Set("service", service);
  layout.Set("dest", dest);
  layout.Set("stats", Names(env, kStats));
  return layout;
}

}  // namespace addon
