// libFuzzer target for the reply side: the netlink readers and the IPVS decoders, fed whatever a
// (hostile or buggy) kernel could put in one received datagram. Not part of the addon.
//
// Build and run (clang needed; the addon itself is not built in this mode):
//   cmake -S . -B build-fuzz -DIPVS_NATIVE_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++
//   cmake --build build-fuzz
//   mkdir -p build-fuzz/corpus && ./build-fuzz/decode_fuzzer build-fuzz/corpus -max_total_time=300
// A crash or an AddressSanitizer report is a bug: every input must be accepted or rejected
// cleanly, never read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ipvs/decode.h"
#include "nl/reader.h"

namespace {

constexpr ipvs::Command kReplyCommands[] = {
    ipvs::Command::kGetService, ipvs::Command::kGetServices, ipvs::Command::kGetDests,
    ipvs::Command::kGetDaemons, ipvs::Command::kGetConfig,   ipvs::Command::kGetInfo,
    ipvs::Command::kNewService,
};

// Walks nested attributes to any depth, as a consumer of unknown attributes might.
void WalkAttributes(const uint8_t* data, size_t len, int depth) {
  nl::AttrIterator it(data, len);
  nl::Attr attr;
  while (it.Next(&attr)) {
    uint64_t u64;
    uint32_t u32;
    uint16_t u16;
    uint8_t u8;
    std::string text;
    attr.U64(&u64);
    attr.U32(&u32);
    attr.U16(&u16);
    attr.Be16(&u16);
    attr.U8(&u8);
    attr.String(&text);
    if (depth < 4) WalkAttributes(attr.data, attr.len, depth + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The first byte picks the request the datagram is taken to answer; the rest is the datagram.
  if (size == 0) return 0;
  ipvs::Request request;
  request.command = kReplyCommands[data[0] % (sizeof kReplyCommands / sizeof kReplyCommands[0])];
  request.service.key.family = (data[0] & 0x80) != 0 ? 10 : 2;
  ++data;
  --size;

  nl::MessageIterator messages(data, size);
  nl::Message message;
  ipvs::Reply reply;
  while (messages.Next(&message)) {
    nl::ErrorReply error;
    int status;
    nl::GenlMessage genl;
    nl::ParseError(message, &error);
    nl::ParseDone(message, &status);
    if (nl::ParseGenl(message, &genl)) WalkAttributes(genl.attrs, genl.attrs_len, 0);
    ipvs::DecodeReplyMessage(request, message, &reply);
  }
  return 0;
}
