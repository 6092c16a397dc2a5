// The packed request boundary: the addon distrusts every record the packer (or anyone) hands it.
// Bytes that would mislead the encoder are refused with a TypeError or RangeError naming the
// record and field; none crash the process. The golden tests cover records that are right.
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../lib/kernel/binding.js';
import { constants } from '../../lib/kernel/constants.js';
import { prepare } from '../../lib/core/operation.js';
import { packRequest, RequestPacker } from '../../lib/kernel/request-packer.js';

const native = loadNative();

const layout = native.requestLayout;
const svc = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;
const destination = () =>
  packRequest(
    prepare({ op: 'addDestination', service: svc, destination: { address: '192.168.8.20' } })
      .request,
  );
const encode = (packed: Uint8Array) => native.encodeRequest(packed, 32, 1);

describe('packed requests', () => {
  it('lays records out back to back, each the size the addon declares', () => {
    const packer = new RequestPacker();
    const requests = [
      prepare({ op: 'flush' }).request,
      prepare({ op: 'addService', service: svc }).request,
      prepare({ op: 'zero' }).request,
    ];
    const packed = packer.pack(requests);
    expect(packed.length).toBe(3 * layout.size);
    const view = new DataView(packed.buffer, packed.byteOffset);
    expect([0, 1, 2].map((i) => view.getUint32(i * layout.size + layout.command, true))).toEqual([
      constants.commands.flush,
      constants.commands.newService,
      constants.commands.zero,
    ]);
  });

  it('refuses a text length longer than its field', () => {
    const packed = destination();
    packed[layout.dest.address] = 200;
    expect(() => encode(packed)).toThrow(/request 0: dest\.address is longer than its field/);
  });

  it('refuses an address that does not parse for its family', () => {
    const packed = destination();
    const text = 'not-an-ip';
    packed[layout.dest.address] = text.length;
    packed.set(Buffer.from(text), layout.dest.address + 1);
    expect(() => encode(packed)).toThrow(/dest\.address is not a valid address: not-an-ip/);
  });

  it('refuses an unknown command and a negative weight', () => {
    const unknown = destination();
    new DataView(unknown.buffer, unknown.byteOffset).setUint32(layout.command, 999, true);
    expect(() => encode(unknown)).toThrow(/command is unknown: 999/);
    const negative = destination();
    new DataView(negative.buffer, negative.byteOffset).setInt32(layout.dest.weight, -1, true);
    expect(() => encode(negative)).toThrow(/dest\.weight is negative/);
  });

  it('refuses a buffer shorter than one record, and values that are not a Uint8Array', () => {
    expect(() => encode(destination().subarray(0, layout.size - 1))).toThrow(RangeError);
    expect(() =>
      native.encodeRequest(new Uint16Array(layout.size) as unknown as Uint8Array, 32, 1),
    ).toThrow(TypeError);
  });

  it('refuses text the packer cannot write as ASCII', () => {
    const { command, service } = prepare({ op: 'addService', service: svc }).request;
    if (!service) throw new Error('addService builds a service');
    expect(() => packRequest({ command, service: { ...service, scheduler: 'wlc\u00e9' } })).toThrow(
      /not ASCII/,
    );
    expect(() =>
      packRequest({ command, service: { ...service, scheduler: 'x'.repeat(16) } }),
    ).toThrow(/longer than 15/);
  });
});
