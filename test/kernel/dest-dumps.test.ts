// The addon's dumpDestinations(): many destination dumps answered as one table, each dump's rows
// found through `ends`; a record that is not a destination dump is refused before anything is
// sent. (IPVS answers the dump of a service that does not exist with no rows, not an error:
// ip_vs_genl_dump_dests() ends the dump quietly when the service is not found.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ipvs } from '../../lib/index.js';
import { loadNative } from '../../lib/kernel/binding.js';
import { prepare } from '../../lib/core/operation.js';
import { destRows } from '../../lib/kernel/reply-tables.js';
import { RequestRecords } from '../../lib/kernel/request-records.js';
import type { NativeClient, NativeRequest } from '../../lib/kernel/native.js';
import { addLan } from '../support/net.js';
import { sh } from '../support/sh.js';

const vip = (port: number) => ({ protocol: 'tcp', address: '192.168.8.210', port }) as const;
const dumpOf = (port: number): NativeRequest => ({
  command: loadNative().constants.commands.getDests,
  service: { family: 2, protocol: 6, address: '192.168.8.210', port, fwmark: 0 },
});

function recordsOf(requests: readonly NativeRequest[]): Uint8Array {
  const records = new RequestRecords();
  for (const request of requests) records.append(request);
  return Uint8Array.from(records.bytes(0, records.count));
}

let ipvs: Ipvs;
let client: NativeClient;
beforeAll(async () => {
  addLan();
  ipvs = await Ipvs.open();
  client = await loadNative().open('/proc/self/ns/net');
  // Port 81: two destinations, 82: none, 83: three; 84 does not exist.
  await ipvs.batch((b) => {
    for (const port of [81, 82, 83]) b.addService({ ...vip(port), scheduler: 'rr' });
    for (const [port, count] of [
      [81, 2],
      [83, 3],
    ] as const) {
      for (let i = 1; i <= count; i++) {
        b.addDestination(vip(port), { address: `192.168.8.${20 + i}`, weight: port + i });
      }
    }
  });
});
afterAll(() => {
  client.close();
  ipvs.close();
});

describe('dumpDestinations', () => {
  it("answers every dump in one table, each one's rows up to its end", async () => {
    const ports = [81, 82, 84, 83];
    const dumps = await client.dumpDestinations(recordsOf(ports.map(dumpOf)), 4, 5000);
    expect(Array.from(dumps.errors)).toEqual([0, 0, 0, 0]);
    expect(Array.from(dumps.ends)).toEqual([2, 2, 2, 5]);
    const rows = destRows(dumps.dests);
    const listed = rows.map((r) => `${r.address} ${r.weight}`);
    // ipvsadm sorts each service's destinations by address: compare as sets.
    const ipvsadm = (port: number) =>
      [
        ...sh('ipvsadm', '-Ln', '-t', `192.168.8.210:${port}`).matchAll(
          /-> (\S+):\d+\s+\w+\s+(\d+)/g,
        ),
      ].map((m) => `${m[1] ?? ''} ${m[2] ?? ''}`);
    expect(listed.slice(0, 2).sort()).toEqual(ipvsadm(81).sort());
    expect(listed.slice(2, 5).sort()).toEqual(ipvsadm(83).sort());
    expect(listed.slice(2, 5).sort()).toEqual([
      '192.168.8.21 84',
      '192.168.8.22 85',
      '192.168.8.23 86',
    ]);
  });

  it('refuses a record that is not a destination dump, naming it, and sends nothing', async () => {
    const add = prepare({ op: 'addService', service: { ...vip(85), scheduler: 'rr' } });
    const before = client.counters().messagesSent ?? 0;
    await expect(client.dumpDestinations(recordsOf([dumpOf(81), add]), 2, 5000)).rejects.toThrow(
      'dumpDestinations: record 1 is not a destination dump',
    );
    expect(client.counters().messagesSent).toBe(before);
    expect(sh('ipvsadm', '-Sn')).not.toMatch(/:85 /);
  });
});
