// Requests as the binary records the addon reads (native/addon/packed_request.h), in one growing
// buffer: a batch writes each operation's record as the operation is added, and the exchange
// queue writes each single call's record as the call is made, so no request object outlives its
// validation. Reading JS objects field by field through N-API cost more per operation than the
// kernel's own work; writing a record from JIT-compiled code costs a small fraction of it. The
// offsets come from the addon itself, so the two sides cannot disagree.
//
// The input is already validated (lib/core/validate.ts); the addon still checks every record.
// read() turns a record back into its request, for the rare reader: an error message, a batch
// result's target.
import { endianness } from 'node:os';
import { loadNative } from './binding.js';
import { readPackedText, writePackedText } from './packed-text.js';
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

// Buffers of records that nobody can read any more, kept for the next ones. Writing records into
// fresh memory cost more than writing them (a page fault per 4 KiB on first touch, and a copy at
// every doubling): on the host a 15,000-operation batch built 0.5 µs an operation faster into a
// reused buffer. A batch's records live as long as its results (a result's target is read from
// them), so they come back when the collector finds them unreachable.
const SPARE_LIMIT = 64 << 20;
const spares: Buffer[] = [];
let spareBytes = 0;

function giveBack(buffer: Buffer): void {
  if (buffer.length === 0 || spareBytes + buffer.length > SPARE_LIMIT) return;
  spares.push(buffer);
  spareBytes += buffer.length;
}

/** A spare of at least `size` bytes, or undefined. */
function takeSpare(size: number): Buffer | undefined {
  for (let i = spares.length - 1; i >= 0; i--) {
    const buffer = spares[i] as Buffer;
    if (buffer.length >= size) {
      spares.splice(i, 1);
      spareBytes -= buffer.length;
      return buffer;
    }
  }
  return undefined;
}

/** What the registry gives back: the buffer a collected RequestRecords last had. */
interface Holder {
  buffer: Buffer;
}
const collected = new FinalizationRegistry<Holder>((holder) => {
  giveBack(holder.buffer);
});

export class RequestRecords {
  // Read from the addon when the first records are made, not when this module is imported.
  private readonly layout: NativeRequestLayout = loadNative().requestLayout;
  private buffer: Buffer = Buffer.allocUnsafe(0);
  private view: DataView = new DataView(this.buffer.buffer);
  private readonly holder: Holder = { buffer: this.buffer };
  /** Records written so far. */
  count = 0;

  constructor() {
    collected.register(this, this.holder);
  }

  /** Writes `request` as the next record. */
  append(request: NativeRequest): void {
    const at = this.count * this.layout.size;
    if (this.buffer.length < at + this.layout.size) this.grow(at + this.layout.size);
    this.record(at, request);
    this.count++;
  }

  /** Forgets every record (the buffer is kept for the next ones). */
  reset(): void {
    this.count = 0;
  }

  /** Records [from, from + count) as the addon takes them; valid until the next append or reset. */
  bytes(from: number, count: number): Uint8Array {
    const size = this.layout.size;
    return this.buffer.subarray(from * size, (from + count) * size);
  }

  /** The command of record `index`. */
  command(index: number): number {
    return this.view.getUint32(index * this.layout.size + this.layout.command, LE);
  }

  /** Record `index` as the request it was written from. */
  read(index: number): NativeRequest {
    const at = index * this.layout.size;
    const layout = this.layout;
    const parts = this.view.getUint32(at + layout.parts, LE);
    const request: NativeRequest = { command: this.command(index) };
    if (parts & layout.partService) request.service = this.readService(at);
    if (parts & layout.partDest) request.dest = this.readDest(at);
    if (parts & layout.partDaemon) request.daemon = this.readDaemon(at);
    if (parts & layout.partTimeouts) request.timeouts = this.readTimeouts(at);
    return request;
  }

  private grow(size: number): void {
    // allocUnsafeSlow: a buffer of its own, not a slice of Node's shared pool, so offset 0 of the
    // DataView is offset 0 of the records. The old buffer can be given back at once: the addon
    // reads the slices it is handed before execute() returns.
    const wanted = Math.max(size, this.buffer.length * 2, 4096);
    const grown = takeSpare(wanted) ?? Buffer.allocUnsafeSlow(wanted);
    this.buffer.copy(grown, 0, 0, this.count * this.layout.size);
    giveBack(this.buffer);
    this.buffer = grown;
    this.holder.buffer = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.length);
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
    writePackedText(this.buffer, at, field - 1, value);
  }

  // ---- reading back: every field the writer wrote, in the shape validation produced ----

  private readService(at: number): NativeService {
    const v = this.view;
    const S = this.layout.service;
    return {
      family: v.getUint16(at + S.family, LE),
      protocol: v.getUint16(at + S.protocol, LE),
      address: readPackedText(this.buffer, at + S.address),
      port: v.getUint16(at + S.port, LE),
      fwmark: v.getUint32(at + S.fwmark, LE),
      scheduler: readPackedText(this.buffer, at + S.scheduler),
      peName: readPackedText(this.buffer, at + S.peName),
      flags: v.getUint32(at + S.flags, LE),
      flagsMask: v.getUint32(at + S.flagsMask, LE),
      timeout: v.getUint32(at + S.timeout, LE),
      netmask: v.getUint32(at + S.netmask, LE),
    };
  }

  private readDest(at: number): NativeDest {
    const v = this.view;
    const D = this.layout.dest;
    return {
      family: v.getUint16(at + D.family, LE),
      address: readPackedText(this.buffer, at + D.address),
      port: v.getUint16(at + D.port, LE),
      fwdMethod: v.getUint32(at + D.fwdMethod, LE),
      weight: v.getInt32(at + D.weight, LE),
      upperThreshold: v.getUint32(at + D.upperThreshold, LE),
      lowerThreshold: v.getUint32(at + D.lowerThreshold, LE),
      tunType: v.getUint8(at + D.tunType),
      tunPort: v.getUint16(at + D.tunPort, LE),
      tunFlags: v.getUint16(at + D.tunFlags, LE),
    };
  }

  private readDaemon(at: number): NativeDaemon {
    const v = this.view;
    const M = this.layout.daemon;
    return {
      state: v.getUint32(at + M.state, LE),
      mcastIfn: readPackedText(this.buffer, at + M.mcastIfn),
      syncId: v.getUint32(at + M.syncId, LE),
      syncMaxlen: v.getUint16(at + M.syncMaxlen, LE),
      mcastFamily: v.getUint16(at + M.mcastFamily, LE),
      mcastGroup: readPackedText(this.buffer, at + M.mcastGroup),
      mcastPort: v.getUint16(at + M.mcastPort, LE),
      mcastTtl: v.getUint8(at + M.mcastTtl),
    };
  }

  private readTimeouts(at: number): NativeTimeouts {
    const T = this.layout.timeouts;
    const v = this.view;
    return {
      tcp: v.getUint32(at + T.tcp, LE),
      tcpFin: v.getUint32(at + T.tcpFin, LE),
      udp: v.getUint32(at + T.udp, LE),
    };
  }
}

/** Requests as records of their own (tests, tools and the codec; hot paths append). */
export function packRequests(requests: readonly NativeRequest[]): Uint8Array {
  const records = new RequestRecords();
  for (const request of requests) records.append(request);
  return Uint8Array.from(records.bytes(0, records.count));
}

/** One request as a record of its own. */
export function packRequest(request: NativeRequest): Uint8Array {
  return packRequests([request]);
}
