// A big config (1000 services, 4000 real servers): the checker creates it in one batch, a
// periodic reconcile of an unchanged table sends nothing, and a reload that changes one weight
// sends exactly one operation. Times are printed as figures, never asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HealthChecker,
  Ipvs,
  validateHealthConfig,
  type HealthConfigInput,
  type SyncReport,
} from '../../lib/index.js';
import { addLan } from '../support/ipvs-test.js';
import { sh } from '../support/sh.js';

const SERVICES = 1000;
const PER_SERVICE = 4;
let ipvs: Ipvs;
let checker: HealthChecker;
const syncs: SyncReport[] = [];

function bigConfig(changedWeight = 1): HealthConfigInput {
  return {
    reconcileInterval: 0,
    services: Array.from({ length: SERVICES }, (_, s) => ({
      protocol: 'tcp' as const,
      address: `10.${100 + Math.floor(s / 250)}.${s % 250}.1`,
      port: 80,
      scheduler: 'rr',
      destinations: Array.from({ length: PER_SERVICE }, (_, d) => ({
        address: `192.168.8.${20 + d}`,
        port: 8000 + (s % 1000),
        forward: 'masq' as const,
        weight: s === 0 && d === 0 ? changedWeight : 1,
      })),
    })),
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [value, Number(process.hrtime.bigint() - start) / 1e6];
}

beforeAll(async () => {
  addLan();
  ipvs = await Ipvs.open();
});

afterAll(async () => {
  await checker.stop();
  ipvs.close();
});

describe('a big config', () => {
  it('is created, reconciled and reloaded by difference', async () => {
    checker = new HealthChecker(ipvs, validateHealthConfig(bigConfig()));
    checker.on('sync', (s) => syncs.push(s));
    const [, startMs] = await timed(() => checker.start());
    expect(syncs[0]?.repairs).toHaveLength(SERVICES * (1 + PER_SERVICE));
    expect(syncs[0]?.repairs.every((r) => r.ok)).toBe(true);
    const listed = sh('ipvsadm', '-Ln').split('\n');
    expect(listed.filter((l) => l.startsWith('TCP'))).toHaveLength(SERVICES);
    expect(listed.filter((l) => l.trimStart().startsWith('-> 192.168.8.'))).toHaveLength(
      SERVICES * PER_SERVICE,
    );

    const [, reconcileMs] = await timed(() => checker.reconcileNow());
    expect(syncs.at(-1)?.repairs).toEqual([]);

    const [, reloadMs] = await timed(() => checker.reload(validateHealthConfig(bigConfig(9))));
    expect(syncs.at(-1)?.reasons).toEqual(['reload']);
    expect(syncs.at(-1)?.repairs.map((r) => `${r.op} ${r.why}`)).toEqual([
      'editDestination weight 1 -> 9',
    ]);
    expect(sh('ipvsadm', '-Ln', '-t', '10.100.0.1:80')).toMatch(
      /-> 192\.168\.8\.20:8000\s+Masq\s+9\b/,
    );
    console.log(
      `health scale: ${SERVICES} services x ${PER_SERVICE} servers: start ${startMs.toFixed(0)} ms, no-op reconcile ${reconcileMs.toFixed(0)} ms, one-weight reload ${reloadMs.toFixed(0)} ms (lab, TCG)`,
    );
  });
});
