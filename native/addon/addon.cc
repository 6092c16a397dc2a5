// The addon's entry point: per-instance state, and the functions TypeScript sees (lib/native.ts).
#include <napi.h>

#include <string>

#include <linux/netlink.h>
#include "addon/addon_data.h"
#include "addon/announcer_handle.h"
#include "addon/client_handle.h"
#include "addon/constants.h"
#include "addon/errors.h"
#include "addon/js_convert.h"
#include "addon/netconfig.h"
#include "addon/packed_request.h"
#include "addon/reply_tables.h"
#include "addon/vrrp_socket.h"
#include "addon/workers.h"

#include "ipvs/client.h"
#include "ipvs/decode.h"
#include "nl/reader.h"
#include "socket/netns.h"
#include "socket/system_error.h"

namespace addon {
namespace {

// open(netnsPath): Promise<NativeClient>. The socket is created inside that namespace.
Napi::Value Open(const Napi::CallbackInfo& info) {
  if (info.Length() != 1 || !info[0].IsString())
    throw Napi::TypeError::New(info.Env(), "open(netnsPath)");
  auto* worker = new OpenWorker(info.Env(), info[0].As<Napi::String>().Utf8Value());
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// encodeRequest(packed, familyId, seq): Buffer. The exact bytes Execute would send for the first
// packed record; for the golden-bytes tests and for debugging.
Napi::Value EncodeRequest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3 || !info[1].IsNumber() || !info[2].IsNumber()) {
    throw Napi::TypeError::New(env, "encodeRequest(packed, familyId, seq)");
  }
  const ipvs::Request request = RequestsFromPackedArgs(info[0], Napi::Number::New(env, 1))[0];
  std::vector<uint8_t> bytes;
  if (!ipvs::EncodeRequest(request, static_cast<uint16_t>(info[1].As<Napi::Number>().Uint32Value()),
                           info[2].As<Napi::Number>().Uint32Value(), &bytes)) {
    throw Napi::RangeError::New(env, "the request does not fit in one netlink message");
  }
  return Napi::Buffer<uint8_t>::Copy(env, bytes.data(), bytes.size());
}

// decodeReply(packed, datagram): the reply object execute() would give for one received
// datagram answering the first packed record. Throws TypeError when the datagram is malformed. For
// the decoder's golden and fuzz tests: whatever the bytes, the result is a value or a TypeError,
// never a crash.
Napi::Value DecodeReply(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[1].IsBuffer()) {
    throw Napi::TypeError::New(env, "decodeReply(packed, datagram: Buffer)");
  }
  const ipvs::Request request = RequestsFromPackedArgs(info[0], Napi::Number::New(env, 1))[0];
  auto datagram = info[1].As<Napi::Buffer<uint8_t>>();
  nl::MessageIterator messages(datagram.Data(), datagram.Length());
  nl::Message message;
  ipvs::Reply reply;
  while (messages.Next(&message)) {
    if (message.type == NLMSG_ERROR) {
      // A refusal ends the reply as the exchange ends it (ipvs/client.cc OnComplete): no data,
      // the errno, the extended ack's message and offset. A plain ack carries nothing.
      nl::ErrorReply ack;
      if (!nl::ParseError(message, &ack)) throw Napi::TypeError::New(env, "malformed ack");
      if (ack.error == 0) continue;
      reply = ipvs::Reply{};
      reply.error = ack.error;
      reply.error_message = ack.ext_message;
      reply.error_offset = ack.offset;
      break;
    }
    if (message.type < NLMSG_MIN_TYPE) continue;  // NLMSG_DONE carries no data
    if (!ipvs::DecodeReplyMessage(request, message, &reply)) {
      throw Napi::TypeError::New(env, "malformed IPVS reply message");
    }
  }
  if (!messages.ok()) throw Napi::TypeError::New(env, "malformed netlink framing");
  return ReplyToJs(env, request.command, reply);
}

// Moves the calling (main) thread into a fresh network namespace. Used by the test harness so
// that every test file, and every process it spawns, works on IPVS tables of its own.
Napi::Value UnshareNetwork(const Napi::CallbackInfo& info) {
  try {
    ipvs::UnshareNetwork();
  } catch (const ipvs::SystemError& error) {
    throw ErrnoError(info.Env(), error);
  }
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData(data);
  data->client_constructor = Napi::Persistent(ClientHandle::Define(env));
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  exports.Set("constants", ConstantsToJs(env));
  exports.Set("requestLayout", RequestLayoutToJs(env));
  exports.Set("replyLayout", ReplyLayoutToJs(env));
  exports.Set("open", Napi::Function::New(env, Open, "open"));
  exports.Set("encodeRequest", Napi::Function::New(env, EncodeRequest, "encodeRequest"));
  exports.Set("decodeReply", Napi::Function::New(env, DecodeReply, "decodeReply"));
  exports.Set("unshareNetwork", Napi::Function::New(env, UnshareNetwork, "unshareNetwork"));
  RegisterNetConfig(env, exports);
  RegisterVrrp(env, exports);
  RegisterAnnouncer(env, exports);
  return exports;
}

}  // namespace
}  // namespace addon

// NODE_API_MODULE pastes the function's name into an identifier: it must be unqualified.
static Napi::Object InitIpvsNative(Napi::Env env, Napi::Object exports) {
  return addon::Init(env, exports);
}

NODE_API_MODULE(ipvs_native, InitIpvsNative)
