// One request through the addon's own encoder and decoder, as execute() would: for the golden
// and fuzz tests, the benchmark's floor check, and debugging. Not part of the public API.
import { loadNative } from './binding.js';
import type { NativeDestReply, NativeReply, NativeRequest, NativeServiceReply } from './native.js';
import { destRows, serviceRows } from './reply-tables.js';
import { packRequest } from './request-records.js';

/** The exact netlink message execute() sends for `request`. */
export function encodeRequest(request: NativeRequest, familyId: number, seq: number): Buffer {
  return loadNative().encodeRequest(packRequest(request), familyId, seq);
}

/** The reply execute() gives for one datagram answering `request`; TypeError if malformed. */
export function decodeReply(request: NativeRequest, datagram: Buffer): NativeReply {
  return loadNative().decodeReply(packRequest(request), datagram);
}

/** The same, with dumped services and destinations read back into rows (lib/reply-tables.ts). */
export function decodeReplyRows(request: NativeRequest, datagram: Buffer): DecodedRows {
  const reply = decodeReply(request, datagram);
  if (reply === 0) return 0;
  const { services, dests, ...rest } = reply;
  return {
    ...rest,
    ...(services ? { services: serviceRows(services) } : {}),
    ...(dests ? { dests: destRows(dests) } : {}),
  };
}

export type DecodedRows =
  | 0
  | (Omit<Exclude<NativeReply, 0>, 'services' | 'dests'> & {
      services?: NativeServiceReply[];
      dests?: NativeDestReply[];
    });
