// Writes requests into the binary records the addon reads (native/addon/packed_request.h), one
// reusable buffer for a whole exchange. Reading JS objects field by field through N-API cost more
// per operation than the kernel's own work; writing a record from JIT-compiled code costs a small
// fraction of it. The offsets come from the addon itself, so the two sides cannot disagree.
//
// The input is already validated (lib/validate.ts); the addon still checks every record.
import { endianness } from 'node:os';
import { loadNative } from './binding.js';
import { writePackedText } from './packed-text.js';
import type {
  NativeDaemon,
  NativeDest,
  NativeRequest,
  NativeRequestLayout,
  NativeService,
  NativeTimeouts,
} from './native.js';

const LE = endianness() === 'LE';
const ADDRESS_FIELD = 48;
const NAME_FIELD = 16;

export class RequestPacker {
  // Read from the addon when the first packer is made, not when this module is imported.
  private readonly layout: NativeRequestLayout = loadNative().requestLayout;
  private bytes = Buffer.allocUnsafe(0);
  private view = new DataView(this.bytes.buffer);

  /** The records for `requests`, valid until the next call. */
  pack(requests: readonly NativeRequest[]): Uint8Array {
    const record = this.layout.size;
    const size = requests.length * record;
    if (this.bytes.length < size) this.grow(size);
    for (let i = 0; i < requests.length; i++) this.record(i * record, requests[i] as NativeRequest);
    return this.bytes.subarray(0, size);
  }

  private grow(size: number): void {
    // allocUnsafeSlow: a buffer of its own, not a slice of Node's shared pool, so offset 0 of the
    // DataView is offset 0 of the records.
    this.bytes = Buffer.allocUnsafeSlow(Math.max(size, this.bytes.length * 2));
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
  }

  private record(at: number, request: NativeRequest): void {
    const layout = this.layout;
    let parts = 0;
    if (request.service) {
      parts |= layout.partService;
      this.service(at, request.service);
    }
    if (request.dest) {
      parts |= layout.partDest;
      this.dest(at, request.dest);
    }
    if (request.daemon) {
      parts |= layout.partDaemon;
      this.daemon(at, request.daemon);
    }
    if (request.timeouts) {
      parts |= layout.partTimeouts;
      this.timeouts(at, request.timeouts);
    }
    this.view.setUint32(at + layout.command, request.command, LE);
    this.view.setUint32(at + layout.parts, parts, LE);
  }

  private service(at: number, s: NativeService): void {
    const v = this.view;
    const S = this.layout.service;
    v.setUint16(at + S.family, s.family, LE);
    v.setUint16(at + S.protocol, s.protocol, LE);
    v.setUint16(at + S.port, s.port, LE);
    v.setUint32(at + S.fwmark, s.fwmark, LE);
    v.setUint32(at + S.flags, s.flags ?? 0, LE);
    v.setUint32(at + S.flagsMask, s.flagsMask ?? 0, LE);
    v.setUint32(at + S.timeout, s.timeout ?? 0, LE);
    v.setUint32(at + S.netmask, s.netmask ?? 0, LE);
    this.text(at + S.address, ADDRESS_FIELD, s.address);
    this.text(at + S.scheduler, NAME_FIELD, s.scheduler);
    this.text(at + S.peName, NAME_FIELD, s.peName);
  }

  private dest(at: number, d: NativeDest): void {
    const v = this.view;
    const D = this.layout.dest;
    v.setUint16(at + D.family, d.family, LE);
    v.setUint16(at + D.port, d.port, LE);
    v.setUint32(at + D.fwdMethod, d.fwdMethod ?? 0, LE);
    v.setInt32(at + D.weight, d.weight ?? 0, LE);
    v.setUint32(at + D.upperThreshold, d.upperThreshold ?? 0, LE);
    v.setUint32(at + D.lowerThreshold, d.lowerThreshold ?? 0, LE);
    v.setUint16(at + D.tunPort, d.tunPort ?? 0, LE);
    v.setUint16(at + D.tunFlags, d.tunFlags ?? 0, LE);
    v.setUint8(at + D.tunType, d.tunType ?? 0);
    this.text(at + D.address, ADDRESS_FIELD, d.address);
  }

  private daemon(at: number, d: NativeDaemon): void {
    const v = this.view;
    const M = this.layout.daemon;
    v.setUint32(at + M.state, d.state, LE);
    v.setUint32(at + M.syncId, d.syncId ?? 0, LE);
    v.setUint16(at + M.syncMaxlen, d.syncMaxlen ?? 0, LE);
    v.setUint16(at + M.mcastFamily, d.mcastFamily ?? 0, LE);
    v.setUint16(at + M.mcastPort, d.mcastPort ?? 0, LE);
    v.setUint8(at + M.mcastTtl, d.mcastTtl ?? 0);
    this.text(at + M.mcastIfn, NAME_FIELD, d.mcastIfn);
    this.text(at + M.mcastGroup, ADDRESS_FIELD, d.mcastGroup);
  }

  private timeouts(at: number, t: NativeTimeouts): void {
    const T = this.layout.timeouts;
    this.view.setUint32(at + T.tcp, t.tcp, LE);
    this.view.setUint32(at + T.tcpFin, t.tcpFin, LE);
    this.view.setUint32(at + T.udp, t.udp, LE);
  }

  private text(at: number, field: number, value: string | undefined): void {
    writePackedText(this.bytes, at, field - 1, value);
  }
}

/** One request as a record of its own (tests and tools; the hot path reuses a packer). */
export function packRequest(request: NativeRequest): Uint8Array {
  return Uint8Array.from(new RequestPacker().pack([request]));
}
