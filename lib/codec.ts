// One request through the addon's own encoder and decoder, as execute() would: for the golden
// and fuzz tests, the benchmark's floor check, and debugging. Not part of the public API.
import { native } from './binding.js';
import type { NativeReply, NativeRequest } from './native.js';
import { packRequest } from './request-packer.js';

/** The exact netlink message execute() sends for `request`. */
export function encodeRequest(request: NativeRequest, familyId: number, seq: number): Buffer {
  return native.encodeRequest(packRequest(request), familyId, seq);
}

/** The reply execute() gives for one datagram answering `request`; TypeError if malformed. */
export function decodeReply(request: NativeRequest, datagram: Buffer): NativeReply {
  return native.decodeReply(packRequest(request), datagram);
}
