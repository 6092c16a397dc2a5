// The packed request boundary: the addon distrusts every record the packer (or anyone) hands it.
// Bytes that would mislead the encoder are refused with a TypeError or RangeError naming the
// record and field; none crash the process. The golden tests cover records that are right.
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../lib/kernel/binding.js';
import { constants } from '../../lib/kernel/constants.js';
import { prepare } from '../../lib/core/operation.js';
import { packRequest, packRequests, RequestRecords } from '../../lib/kernel/request-records.js';

const native = loadNative();

const layout = native.requestLayout;
const svc = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;
const destination = () =>
  packRequest(
    prepare({ op: 'addDestination', service: svc, destination: { address: '192.168.8.20' } }),
  );
const encode = (packed: Uint8Array) => native.encodeRequest(packed, 32, 1);

describe('packed requests', () => {
  it('lays records out back to back, each the size the addon declares', () => {
    const requests = [
      prepare({ op: 'flush' }),
      prepare({ op: 'addService', service: svc }),
      prepare({ op: 'zero' }),
    ];
    const packed = packRequests(requests);
    expect(packed.length).toBe(3 * layout.size);
    const view = new DataView(packed.buffer, packed.byteOffset);
    expect([0, 1, 2].map((i) => view.getUint32(i * layout.size + layout.command, true))).toEqual([
      constants.commands.flush,
      constants.commands.newService,
      constants.commands.zero,
    ]);
  });

  it('reads every record back as the request it was written from, across growth', () => {
    const requests = [
      prepare({ op: 'addService', service: { ...svc, persistence: 600, netmask: '255.255.0.0' } }),
      prepare({
        op: 'editDestination',
        service: { fwmark: 7, family: 'ipv6' },
        destination: {
          address: '2001:db8::7',
          port: 6080,
          forward: 'tunnel',
          weight: 3,
          upperThreshold: 9,
          lowerThreshold: 2,
          tunnel: { type: 'gue', port: 5555, checksum: 'remcsum' },
        },
      }),
      prepare({ op: 'zero' }),
      prepare({ op: 'setTimeouts', timeouts: { tcp: 900, udp: 60 } }),
      prepare({
        op: 'startDaemon',
        daemon: { state: 'backup', interface: 'eth1', syncId: 4, group: '239.1.1.9', ttl: 2 },
      }),
    ];
    const records = new RequestRecords();
    // Far more than the first buffer holds: growing keeps the records already written.
    for (let i = 0; i < 500; i++) for (const request of requests) records.append(request);
    expect(records.count).toBe(2500);
    const back = [0, 1, 2, 3, 4].map((i) => records.read(2495 + i));
    expect(back[0]).toEqual({ ...requests[0], service: { ...requests[0]?.service } });
    expect(back[1]).toMatchObject(requests[1] as object);
    expect(back[2]).toEqual({ command: constants.commands.zero });
    expect(back[3]).toEqual(requests[3]);
    expect(back[4]).toMatchObject(requests[4] as object);
    expect(records.read(0)).toEqual(back[0]);
    expect(records.bytes(5, 5).length).toBe(5 * layout.size);
    expect(records.read(5)).toEqual(records.read(0));
    records.reset();
    expect(records.count).toBe(0);
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
    const { command, service } = prepare({ op: 'addService', service: svc });
    if (!service) throw new Error('addService builds a service');
    expect(() => packRequest({ command, service: { ...service, scheduler: 'wlc\u00e9' } })).toThrow(
      /not ASCII/,
    );
    expect(() =>
      packRequest({ command, service: { ...service, scheduler: 'x'.repeat(16) } }),
    ).toThrow(/longer than 15/);
  });
});
