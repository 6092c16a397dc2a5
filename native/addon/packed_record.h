// Pieces shared by the packed record formats (packed_request.h for IPVS, packed_net_request.h for
// rtnetlink): text fields as a length byte and characters, and a reader that checks them and
// throws a TypeError naming the record and the field.
#pragma once

#include <napi.h>

#include <stdexcept>

#include <cstddef>
#include <cstdint>
#include <string>

namespace addon {

// Text as a length byte followed by up to N-1 characters (no terminator needed).
template <size_t N>
struct PackedText {
  static_assert(N >= 2 && N <= 256, "the length is one byte");
  static constexpr size_t kCapacity = N - 1;
  uint8_t length;
  char text[N - 1];
};

// A record that does not hold what it claims; the message names the record and the field. Thrown
// where no JS is at hand (a worker thread reads big exchanges' records); the functions called
// from JS turn it into a TypeError.
class RecordError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads the fields of record `index`, distrusting each one.
class RecordReader {
 public:
  explicit RecordReader(uint32_t index) : index_(index) {}

  [[noreturn]] void Fail(const char* field, const std::string& problem) const;

  template <size_t N>
  std::string Text(const PackedText<N>& text, const char* field) const {
    if (text.length > N - 1) Fail(field, "is longer than its field");
    return std::string(text.text, text.length);
  }

  // Parses the text for `family` (AF_INET or AF_INET6) into 16 bytes; false when it is empty.
  // Anything else that is not an address of that family fails.
  bool Address(const std::string& text, uint16_t family, const char* field,
               uint8_t (&bytes)[16]) const;

 private:
  uint32_t index_;
};

// Checks (buffer, count) arguments: a Uint8Array holding at least `count` records of
// `record_size` bytes. Returns the bytes; throws a TypeError or RangeError.
const uint8_t* PackedRecords(const Napi::Value& buffer, const Napi::Value& count,
                             size_t record_size, uint32_t* count_out);

}  // namespace addon
