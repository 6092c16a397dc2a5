// A large table: 10,000 services added in one batch, dumped back whole, then flushed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ipvs } from '../../lib/index.js';
import { sh } from '../support/sh.js';

const COUNT = 10_000;
const key = (i: number) =>
  ({ protocol: 'tcp', address: `10.${(i >> 8) & 255}.${i & 255}.1`, port: 80 }) as const;
let ipvs: Ipvs;

beforeAll(async () => {
  ipvs = await Ipvs.open({ timeoutMs: 60_000 });
});
afterAll(() => {
  ipvs.close();
});

describe(`${COUNT} services`, () => {
  it('adds them in one batch and dumps exactly what was added', async () => {
    const results = await ipvs.batch((b) => {
      for (let i = 0; i < COUNT; i++) b.addService({ ...key(i), scheduler: i % 2 ? 'rr' : 'wlc' });
    });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const listed = await ipvs.listServices();
    expect(listed).toHaveLength(COUNT);
    const seen = new Set(listed.map((s) => `${s.address ?? ''}|${s.scheduler}`));
    for (let i = 0; i < COUNT; i++)
      expect(seen.has(`${key(i).address}|${i % 2 ? 'rr' : 'wlc'}`)).toBe(true);
    expect(sh('ipvsadm', '-S', '-n').trim().split('\n')).toHaveLength(COUNT);
  });

  it('flushes them', async () => {
    await ipvs.flush();
    expect(await ipvs.listServices()).toEqual([]);
    expect(sh('ipvsadm', '-S', '-n')).toBe('');
  });
});
