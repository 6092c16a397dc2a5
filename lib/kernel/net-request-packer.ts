// Writes network-configuration requests into the binary records the addon reads
// (native/addon/packed_net_request.h), as lib/kernel/request-records.ts does for IPVS: the offsets,
// field capacities and op numbers come from the addon itself, so the two sides cannot disagree,
// and the addon checks every record again.
import { endianness } from 'node:os';
import { inspect } from 'node:util';
import { loadNative } from './binding.js';
import { writePackedText } from './packed-text.js';
import type { NativeNetOp, NativeNetRequest, NativeNetRequestLayout } from './native.js';

const LE = endianness() === 'LE';

/** `requests` as consecutive records, in a buffer of their own. */
export function packNetRequests(requests: readonly NativeNetRequest[]): Uint8Array {
  const layout = loadNative().netRequestLayout;
  // Zeroed: a text field left alone has length 0, a number 0.
  const bytes = new Uint8Array(requests.length * layout.size);
  const view = new DataView(bytes.buffer);
  requests.forEach((request, i) => {
    writeRecord(layout, bytes, view, i * layout.size, request);
  });
  return bytes;
}

/** One request as a record of its own. */
export function packNetRequest(request: NativeNetRequest): Uint8Array {
  return packNetRequests([request]);
}

function writeRecord(
  layout: NativeNetRequestLayout,
  bytes: Uint8Array,
  view: DataView,
  at: number,
  request: NativeNetRequest,
): void {
  const op: unknown = request.op;
  if (typeof op !== 'string' || !Object.hasOwn(layout.ops, op))
    throw new TypeError(`unknown op: ${inspect(op)}`);
  view.setUint32(at + layout.op, layout.ops[op as NativeNetOp], LE);
  if ('family' in request) view.setUint8(at + layout.family, byte('family', request.family));
  if ('prefixLength' in request)
    view.setUint8(at + layout.prefixLength, byte('prefixLength', request.prefixLength));
  const text = (field: keyof NativeNetRequestLayout['capacity'], value: string | undefined) => {
    writePackedText(bytes, at + layout[field], layout.capacity[field], value);
  };
  if ('ifname' in request) text('ifname', request.ifname);
  if ('address' in request) {
    text('address', request.address);
    text('label', request.label);
  }
  if ('path' in request) text('path', request.path);
  if ('value' in request) text('value', request.value);
}

function byte(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 255)
    throw new RangeError(`${field} must be an integer 0-255, got ${inspect(value)}`);
  return value;
}
