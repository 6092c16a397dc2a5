// The pure parts of the health checker: rise/fall counting, quorum with hysteresis, the table
// wanted from health, and the repairs planned against what the kernel holds.
import { zeroStats } from '../support/stats.js';
import { describe, expect, it } from 'vitest';
import { desiredService, healthyWeight, type HealthView } from '../../lib/health/desired.js';
import { HealthCounter } from '../../lib/health/health-state.js';
import { initialQuorum, nextQuorum } from '../../lib/health/quorum.js';
import { planService } from '../../lib/health/reconcile.js';
import { validateHealthConfig } from '../../lib/health/index.js';
import type { Destination, Service } from '../../lib/index.js';

describe('rise and fall', () => {
  it('takes the first result at once, then needs fall failures or rise successes in a row', () => {
    const c = new HealthCounter(2, 3);
    expect(c.state).toBe('unknown');
    expect(c.serving).toBe(true);
    expect(c.record(true)).toBe('up');
    expect([c.record(false), c.record(false)]).toEqual([undefined, undefined]);
    expect(c.record(true)).toBeUndefined(); // a success breaks the streak
    expect([c.record(false), c.record(false), c.record(false)]).toEqual([
      undefined,
      undefined,
      'down',
    ]);
    expect(c.serving).toBe(false);
    expect([c.record(true), c.record(false), c.record(true)]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(c.record(true)).toBe('up');
  });

  it('goes down on the first failed check of a new server', () => {
    const c = new HealthCounter(3, 3);
    expect(c.record(false)).toBe('down');
    expect([c.record(true), c.record(true), c.record(true)]).toEqual([undefined, undefined, 'up']);
  });
});

describe('quorum with hysteresis', () => {
  const rule = { quorum: 4, hysteresis: 1 };
  it('is lost below quorum - hysteresis and regained at quorum + hysteresis', () => {
    expect(initialQuorum(rule, 4)).toBe(true);
    expect(initialQuorum(rule, 3)).toBe(false);
    expect(nextQuorum(rule, true, 3)).toBe(true); // inside the band: stays met
    expect(nextQuorum(rule, true, 2)).toBe(false);
    expect(nextQuorum(rule, false, 4)).toBe(false); // inside the band: stays lost
    expect(nextQuorum(rule, false, 5)).toBe(true);
  });

  it('is always met with quorum 0', () => {
    expect(initialQuorum({ quorum: 0, hysteresis: 0 }, 0)).toBe(true);
    expect(nextQuorum({ quorum: 0, hysteresis: 0 }, false, 0)).toBe(true);
  });
});

const config = validateHealthConfig({
  services: [
    {
      protocol: 'tcp',
      address: '192.168.8.200',
      port: 80,
      scheduler: 'rr',
      quorum: 3,
      sorryServer: { address: '10.0.0.9', forward: 'masq' },
      destinations: [
        { address: '10.0.0.2', forward: 'masq', weight: 2 },
        { address: '10.0.0.3', forward: 'masq', weight: 1, onFailure: 'remove' },
        { address: '10.0.0.4', forward: 'masq', weight: 1 },
      ],
    },
  ],
});
const service =
  config.services[0] ??
  (() => {
    throw new Error('no service');
  })();
function view(down: string[], quorumMet = true): HealthView {
  return { serving: (_s, d) => !down.includes(d), quorumMet: () => quorumMet };
}
const weights = (down: string[], quorumMet = true) =>
  desiredService(service, view(down, quorumMet)).destinations.map(
    (d) => `${d.address}=${d.weight}`,
  );

describe('the wanted table', () => {
  it('keeps healthy servers at their weight, inhibits or removes failed ones', () => {
    expect(weights([])).toEqual(['10.0.0.2=2', '10.0.0.3=1', '10.0.0.4=1']);
    expect(weights(['10.0.0.2:80', '10.0.0.3:80'])).toEqual(['10.0.0.2=0', '10.0.0.4=1']);
    expect(healthyWeight(service, view(['10.0.0.2:80']))).toBe(2);
  });

  it('puts the sorry server in first while quorum is lost, the real servers treated as failed', () => {
    expect(weights(['10.0.0.2:80'], false)).toEqual(['10.0.0.9=1', '10.0.0.2=0', '10.0.0.4=0']);
  });
});

function kernelDest(
  address: string,
  weight: number,
  forward: Destination['forward'] = 'masq',
): Destination {
  return {
    address,
    port: 80,
    family: 'ipv4',
    forward,
    weight,
    upperThreshold: 0,
    lowerThreshold: 0,
    activeConnections: 0,
    inactiveConnections: 0,
    persistentConnections: 0,
    stats: zeroStats,
  };
}
function kernelService(scheduler: string, destinations: Destination[]): Service {
  return {
    protocol: 'tcp',
    address: '192.168.8.200',
    port: 80,
    family: 'ipv4',
    scheduler,
    persistence: 0,
    netmask: '255.255.255.255',
    onePacket: false,
    schedulerFlags: [],
    flags: [],
    stats: zeroStats,
    destinations,
  };
}

describe('repairs planned against the kernel', () => {
  const want = desiredService(service, view([]));
  it('creates a missing service with its destinations', () => {
    expect(planService(want, undefined).map((r) => `${r.op} ${r.why}`)).toEqual([
      'addService missing',
      'addDestination missing',
      'addDestination missing',
      'addDestination missing',
    ]);
  });

  it('plans nothing when the kernel matches', () => {
    const actual = kernelService('rr', [
      kernelDest('10.0.0.2', 2),
      kernelDest('10.0.0.3', 1),
      kernelDest('10.0.0.4', 1),
    ]);
    expect(planService(want, actual)).toEqual([]);
  });

  it('repairs drift: weight, forwarding, scheduler, missing and stray destinations, adds before deletes', () => {
    const actual = kernelService('wlc', [
      kernelDest('10.0.0.7', 1),
      kernelDest('10.0.0.2', 5),
      kernelDest('10.0.0.3', 1, 'route'),
    ]);
    expect(planService(want, actual).map((r) => `${r.op} ${r.why}`)).toEqual([
      'addDestination missing',
      'editService scheduler wlc -> rr',
      'editDestination weight 5 -> 2',
      'editDestination forward route -> masq',
      'deleteDestination not wanted',
    ]);
  });
});
