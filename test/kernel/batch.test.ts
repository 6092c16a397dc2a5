// batch(): one exchange, a result per operation, failures that don't stop the rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ipvs, IpvsError, type Operation } from '../../lib/index.js';
import { addLan } from '../support/net.js';
import { sh } from '../support/sh.js';

const vip = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;
let ipvs: Ipvs;

beforeAll(async () => {
  addLan();
  ipvs = await Ipvs.open();
});
afterAll(() => {
  ipvs.close();
});

describe('batch', () => {
  it('applies every operation in order and reports each result', async () => {
    const results = await ipvs.batch((b) => {
      b.addService({ ...vip, scheduler: 'rr' });
      b.addDestination(vip, { address: '192.168.8.20', forward: 'dr' });
      b.addDestination(vip, { address: '192.168.8.30', forward: 'dr', weight: 2 });
    });
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(sh('ipvsadm', '-S', '-n')).toBe(
      '-A -t 192.168.8.200:80 -s rr\n' +
        '-a -t 192.168.8.200:80 -r 192.168.8.20:80 -g -w 1\n' +
        '-a -t 192.168.8.200:80 -r 192.168.8.30:80 -g -w 2\n',
    );
  });

  it('goes on after a refused operation and says which one failed', async () => {
    const results = await ipvs.batch((b) => {
      b.addDestination(vip, { address: '192.168.8.40' });
      b.addService({ ...vip, scheduler: 'rr' }); // exists: EEXIST
      b.deleteDestination(vip, { address: '192.168.8.99' }); // missing: ENOENT
      b.editDestination(vip, { address: '192.168.8.20', weight: 5 });
    });
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'ok',
      'EEXIST',
      'ENOENT',
      'ok',
    ]);
    const failed = results[1];
    expect(failed?.ok).toBe(false);
    if (failed && !failed.ok) {
      expect(failed.error).toBeInstanceOf(IpvsError);
      expect(failed.error.index).toBe(1);
      expect(failed.error.op).toBe('addService');
      expect(failed.error.message).toMatch(
        /^batch operation 1 \(addService\): service tcp 192\.168\.8\.200:80 already exists/,
      );
    }
    const dests = await ipvs.listDestinations(vip);
    expect(dests.map((d) => [d.address, d.weight]).sort()).toEqual([
      ['192.168.8.20', 5],
      ['192.168.8.30', 2],
      ['192.168.8.40', 1],
    ]);
  });

  it('sends nothing when an operation fails validation while the batch is built', async () => {
    const before = sh('ipvsadm', '-S', '-n');
    await expect(
      ipvs.batch((b) => {
        b.deleteService(vip);
        b.addDestination(vip, { address: '192.168.8.50', weight: -1 });
      }),
    ).rejects.toThrow(RangeError);
    expect(sh('ipvsadm', '-S', '-n')).toBe(before);
  });

  it('returns an empty result for an empty batch', async () => {
    expect(await ipvs.batch(() => undefined)).toEqual([]);
  });
});

describe('operations as data', () => {
  const fwmark = { fwmark: 9 } as const;

  it('runs one with ipvs.run and many with Batch.add, as the methods would', async () => {
    await ipvs.run({ op: 'addService', service: { ...fwmark, scheduler: 'sh' } });
    const results = await ipvs.batch((b) =>
      b
        .add({ op: 'addDestination', service: fwmark, destination: { address: '192.168.8.20' } })
        .add({
          op: 'addDestination',
          service: fwmark,
          destination: { address: '192.168.8.30', weight: 3 },
        })
        .add({ op: 'editService', service: { ...fwmark, scheduler: 'wrr' } }),
    );
    expect(results.map((r) => `${r.op} ${String(r.ok)}`)).toEqual([
      'addDestination true',
      'addDestination true',
      'editService true',
    ]);
    const saved = sh('ipvsadm', '-S', '-n').split('\n');
    expect(saved.filter((line) => line.includes(' -f 9 '))).toEqual([
      '-A -f 9 -s wrr',
      '-a -f 9 -r 192.168.8.20:0 -g -w 1',
      '-a -f 9 -r 192.168.8.30:0 -g -w 3',
    ]);
    await expect(ipvs.run({ op: 'deleteService', service: fwmark })).resolves.toBeUndefined();
    await expect(ipvs.run({ op: 'deleteService', service: fwmark })).rejects.toMatchObject({
      code: 'ESRCH',
      op: 'deleteService',
    });
  });

  it('refuses a malformed operation by name before anything is sent', async () => {
    const before = sh('ipvsadm', '-S', '-n');
    const bogus = { op: 'addServices', service: fwmark } as unknown as Operation;
    await expect(ipvs.run(bogus)).rejects.toThrow(
      "op must be an IPVS operation such as 'addService', got addServices",
    );
    await expect(
      ipvs.batch((b) => b.add({ op: 'addService', service: { fwmark: -1 } })),
    ).rejects.toThrow(RangeError);
    expect(sh('ipvsadm', '-S', '-n')).toBe(before);
  });
});
