#include "addon/packed_record.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdint>

namespace addon {

void RecordReader::Fail(const char* field, const std::string& problem) const {
  throw RecordError("request " + std::to_string(index_) + ": " + field + " " + problem);
}

bool RecordReader::Address(const std::string& text, uint16_t family, const char* field,
                           uint8_t (&bytes)[16]) const {
  if (text.empty()) return false;
  if (family != AF_INET && family != AF_INET6) {
    Fail(field, "needs a family of AF_INET or AF_INET6");
  }
  if (inet_pton(family, text.c_str(), bytes) != 1) Fail(field, "is not a valid address: " + text);
  return true;
}

const uint8_t* PackedRecords(const Napi::Value& buffer, const Napi::Value& count,
                             size_t record_size, uint32_t* count_out) {
  Napi::Env env = buffer.Env();
  if (!buffer.IsTypedArray() ||
      buffer.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array || !count.IsNumber()) {
    throw Napi::TypeError::New(env, "requests must be a Uint8Array of packed records and a count");
  }
  const double number = count.As<Napi::Number>().DoubleValue();
  if (!(number >= 0 && number <= UINT32_MAX) || number != static_cast<uint32_t>(number)) {
    throw Napi::RangeError::New(env, "the request count must be a non-negative integer");
  }
  auto bytes = buffer.As<Napi::Uint8Array>();
  if (bytes.ByteLength() / record_size < number) {
    throw Napi::RangeError::New(env, "the request buffer holds fewer records than its count");
  }
  *count_out = static_cast<uint32_t>(number);
  return bytes.Data();
}

}  // namespace addon
