// The JS object behind one announcer (lib/kernel/native.ts: NativeAnnouncer): owns a
// vrrp::Announcer opened in its namespace on a worker thread; announce() sends on the JS thread
// (one small frame to the local link), close() releases the sockets.
#pragma once

#include <napi.h>

#include <memory>

#include "vrrp/announcer.h"

namespace addon {

class AnnouncerHandle : public Napi::ObjectWrap<AnnouncerHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  // Called from JS through the constructor with an External holding the opened announcer.
  explicit AnnouncerHandle(const Napi::CallbackInfo& info);
  ~AnnouncerHandle() override;

  void Close();

 private:
  // announce(address: string): void; ARP for an IPv4 address, NA for an IPv6 one.
  Napi::Value Announce(const Napi::CallbackInfo& info);
  Napi::Value CloseMethod(const Napi::CallbackInfo& info);
  Napi::Value Ifindex(const Napi::CallbackInfo& info);
  Napi::Value HardwareAddress(const Napi::CallbackInfo& info);

  std::shared_ptr<vrrp::Announcer> announcer_;
};

// Adds announcerOpen(netnsPath, ifname): Promise<NativeAnnouncer> and
// encodeAnnouncement(hardwareAddress, address): Buffer (golden tests) to the exports.
void RegisterAnnouncer(Napi::Env env, Napi::Object exports);

}  // namespace addon
