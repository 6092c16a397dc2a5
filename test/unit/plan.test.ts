// The one planner (lib/state/plan.ts), used by apply and by the health checker's reconcile.
import { describe, expect, it } from 'vitest';
import { plan, planService } from '../../lib/state/plan.js';
import { normalService, normalise } from '../../lib/state/schema.js';

const vip = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;
const steps = (list: ReadonlyArray<{ op: string; why: string }>) =>
  list.map((s) => `${s.op} ${s.why}`);

describe('planService', () => {
  it('adds a missing service, then its destinations', () => {
    const want = normalService({ ...vip, scheduler: 'rr' }, [{ address: '10.0.0.2' }]);
    expect(steps(planService(want, undefined))).toEqual([
      'addService missing',
      'addDestination missing',
    ]);
  });

  it('says what differs: scheduler, persistence, engine, flags', () => {
    const have = normalService({ ...vip, scheduler: 'wlc' }, []);
    const want = normalService(
      {
        ...vip,
        scheduler: 'sh',
        persistence: 300,
        persistenceEngine: 'sip',
        schedulerFlags: ['sh-port'],
      },
      [],
    );
    expect(steps(planService(want, have))).toEqual([
      'editService scheduler wlc -> sh, persistence 0 -> 300, persistenceEngine none -> sip, flags 0x0 -> 0x11',
    ]);
  });

  it('compares the netmask only for persistent services', () => {
    const have = normalService({ ...vip, persistence: 60, netmask: '255.255.255.0' }, []);
    const want = normalService({ ...vip, persistence: 60, netmask: '255.255.0.0' }, []);
    expect(steps(planService(want, have))).toEqual([
      'editService netmask 255.255.255.0 -> 255.255.0.0',
    ]);
  });

  it('edits a destination in place: forward, weight, thresholds, tunnel', () => {
    const have = normalService(vip, [
      { address: '10.0.0.2', forward: 'masq', weight: 1 },
      { address: '10.0.0.3', forward: 'tunnel', tunnel: { type: 'gue', port: 6080 } },
    ]);
    const want = normalService(vip, [
      { address: '10.0.0.2', forward: 'route', weight: 4, upperThreshold: 9 },
      { address: '10.0.0.3', forward: 'tunnel', tunnel: { type: 'gue', port: 6081 } },
    ]);
    expect(steps(planService(want, have))).toEqual([
      'editDestination forward masq -> route, weight 1 -> 4, upperThreshold 0 -> 9',
      'editDestination tunnel port 6080 -> 6081',
    ]);
  });

  it('matches IPv6 real servers however they are written', () => {
    const v6 = { protocol: 'tcp', address: '2001:db8::200', port: 80 } as const;
    const have = normalService(v6, [{ address: '2001:db8:0:0::20' }]);
    const want = normalService(v6, [{ address: '2001:DB8::20' }]);
    expect(planService(want, have, { pruneDestinations: true })).toEqual([]);
  });

  it('deletes stray destinations only when asked, and last', () => {
    const have = normalService(vip, [{ address: '10.0.0.9' }]);
    const want = normalService(vip, [{ address: '10.0.0.2' }]);
    expect(steps(planService(want, have))).toEqual(['addDestination missing']);
    expect(steps(planService(want, have, { pruneDestinations: true }))).toEqual([
      'addDestination missing',
      'deleteDestination not wanted',
    ]);
  });
});

describe('plan', () => {
  it('deletes services that are not desired only with prune, after everything else', () => {
    const current = normalise({
      services: [{ fwmark: 5 }, { ...vip, destinations: [{ address: '10.0.0.2', weight: 1 }] }],
    });
    const desired = normalise({
      services: [{ ...vip, destinations: [{ address: '10.0.0.2', weight: 2 }] }],
    });
    expect(steps(plan(current, desired))).toEqual(['editDestination weight 1 -> 2']);
    expect(plan(current, desired, { prune: true }).map((s) => [s.op, s.service])).toEqual([
      ['editDestination', vip],
      ['deleteService', { fwmark: 5 }],
    ]);
  });
});
