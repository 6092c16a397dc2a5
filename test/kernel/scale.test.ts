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

  it('lists them with their destinations as ipvsadm does, across many dump exchanges', async () => {
    // The first 1000 services get 0-3 destinations each (i % 4): the listing's destination dumps
    // go in exchanges of DUMPS_PER_EXCHANGE, whose rows must land on the right services.
    const rs = (i: number, d: number) => `172.16.${(i >> 6) & 255}.${((i & 63) << 2) | d}`;
    const results = await ipvs.batch((b) => {
      for (let i = 0; i < 1000; i++) {
        for (let d = 0; d < i % 4; d++) {
          b.addDestination(key(i), {
            address: rs(i, d),
            port: 8080,
            weight: d + 1,
            forward: 'masq',
          });
        }
      }
    });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const listed = await ipvs.listServices({ destinations: true });
    expect(listed).toHaveLength(COUNT);
    const ours = listed
      .flatMap((s) =>
        (s.destinations ?? []).map(
          (d) => `${s.address ?? ''}:${s.port ?? 0} ${d.address}:${d.port} ${d.weight}`,
        ),
      )
      .sort();
    // ipvsadm's own view: -a -t VIP:PORT -r RIP:PORT -m -w WEIGHT
    const theirs = sh('ipvsadm', '-S', '-n')
      .split('\n')
      .filter((line) => line.startsWith('-a '))
      .map((line) => {
        const [, vip, rip, weight] = /-t (\S+) -r (\S+) -m -w (\d+)/.exec(line) ?? [];
        return `${vip} ${rip} ${weight}`;
      })
      .sort();
    expect(theirs).toHaveLength(1500);
    expect(ours).toEqual(theirs);
    expect(listed.filter((s) => (s.destinations ?? []).length === 3)).toHaveLength(250);
  });

  it('flushes them', async () => {
    await ipvs.flush();
    expect(await ipvs.listServices()).toEqual([]);
    expect(sh('ipvsadm', '-S', '-n')).toBe('');
  });
});
