// takeSnapshot: one reading of the table, joined with the health checker's view by identity.
import { describe, expect, it } from 'vitest';
import { takeSnapshot, type HealthSource } from '../../lib/observe/snapshot.js';
import type { ServiceStatus } from '../../lib/health/checker.js';
import { FakeObservedTable } from '../support/fake-observed-table.js';

const SVC = 'tcp 192.168.8.200:80';

async function table(): Promise<FakeObservedTable> {
  const t = new FakeObservedTable();
  await t.batch((b) => {
    b.addService({ protocol: 'tcp', address: '192.168.8.200', port: 80, scheduler: 'rr' });
    b.addDestination(
      { protocol: 'tcp', address: '192.168.8.200', port: 80 },
      { address: '10.0.0.2', weight: 3 },
    );
    b.addService({ protocol: 'udp', address: '192.168.8.200', port: 53 });
  });
  t.setCounters(SVC, '10.0.0.2:80', { stats: { conns: 7n, inBytes: 900n }, active: 2 });
  return t;
}

const status = (destinations: string[]): ServiceStatus => ({
  service: SVC,
  quorumMet: true,
  healthyWeight: 3,
  sorryServerActive: false,
  destinations: destinations.map((destination) => ({
    destination,
    health: 'up',
    weight: 3,
    configuredWeight: 3,
    failures: 0,
    lastCheck: { ok: true, detail: 'status 200', at: 1, seconds: 0.002 },
  })),
});

describe('takeSnapshot', () => {
  it('reads services with destinations, totals and daemons once, without a checker', async () => {
    const t = await table();
    t.totals = { ...t.totals, conns: 11n };
    const snapshot = await takeSnapshot(t);
    expect(snapshot.totals.conns).toBe(11n);
    expect(snapshot.daemons).toEqual([]);
    expect(snapshot.services.map((s) => s.id)).toEqual([SVC, 'udp 192.168.8.200:53']);
    const [web] = snapshot.services;
    expect(web?.health).toBeUndefined();
    expect(web?.destinations).toHaveLength(1);
    expect(web?.destinations[0]?.id).toBe('10.0.0.2:80');
    expect(web?.destinations[0]?.kernel?.stats.conns).toBe(7n);
    expect(web?.destinations[0]?.kernel?.activeConnections).toBe(2);
    expect(snapshot.readSeconds).toBeGreaterThanOrEqual(0);
  });

  it('joins the checker’s view by identity, and keeps what only one side has', async () => {
    const t = await table();
    const health: HealthSource = {
      status: () => [
        status(['10.0.0.2:80', '10.0.0.3:80']),
        { ...status([]), service: 'tcp 192.168.8.201:443' },
      ],
    };
    const snapshot = await takeSnapshot(t, health);
    const [web, dns, missing] = snapshot.services;
    expect(web?.health?.service).toBe(SVC);
    expect(web?.destinations.map((d) => [d.id, d.kernel?.weight, d.health?.health])).toEqual([
      ['10.0.0.2:80', 3, 'up'],
      ['10.0.0.3:80', undefined, 'up'],
    ]);
    expect(dns?.health).toBeUndefined();
    expect(missing).toMatchObject({ id: 'tcp 192.168.8.201:443', kernel: undefined });
  });
});
