// The health checker's behaviour against an in-memory table: custom checks that the test turns
// on and off stand in for servers. (test/e2e/health.test.ts does the same against the kernel
// with real HTTP servers.) Outcomes are polled for, never timed.
import { afterEach, describe, expect, it } from 'vitest';
import {
  HealthChecker,
  validateHealthConfig,
  type HealthConfigInput,
  type CustomCheck,
  type HealthEvents,
  type LogRecord,
} from '../../lib/health/index.js';
import { FakeIpvsTable } from '../support/fake-ipvs-table.js';

const SVC = 'tcp 192.168.8.200:80';
const vip = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;

/** Servers by address: the custom check passes while the address is in the set. */
const alive = new Set<string>();
const probe: CustomCheck = (target) => Promise.resolve(alive.has(target.address));
const fast = {
  type: 'custom',
  run: 'probe',
  interval: 10,
  timeout: 100,
  retries: 1,
  retryDelay: 5,
} as const;

let running: HealthChecker | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  alive.clear();
});

async function startChecker(
  input: HealthConfigInput,
  table = new FakeIpvsTable(),
  logs: LogRecord[] = [],
) {
  const checker = new HealthChecker(
    table,
    validateHealthConfig(input, { customChecks: { probe } }),
    { log: (r) => logs.push(r) },
  );
  running = checker;
  await checker.start();
  return { checker, table, logs };
}

async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (done()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

function collect<K extends keyof HealthEvents>(
  checker: HealthChecker,
  event: K,
): HealthEvents[K][0][] {
  const seen: HealthEvents[K][0][] = [];
  const listener = (value: HealthEvents[K][0]): void => {
    seen.push(value);
  };
  (checker.on as (e: K, l: (v: HealthEvents[K][0]) => void) => HealthChecker)(event, listener);
  return seen;
}

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

/** The fewest timers seen over a few samples: the runner's own come and go. */
async function timerBaseline(): Promise<number> {
  let least = timers();
  for (let i = 0; i < 5; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    least = Math.min(least, timers());
  }
  return least;
}

const dests = (
  ...specs: Array<{ address: string; weight?: number; onFailure?: 'inhibit' | 'remove' }>
) => specs.map((d) => ({ forward: 'masq' as const, ...d }));

describe('HealthChecker', () => {
  it('creates the service, inhibits a failed server and restores its weight when it recovers', async () => {
    alive.add('10.0.0.2').add('10.0.0.3');
    const { checker, table } = await startChecker({
      services: [
        {
          ...vip,
          scheduler: 'rr',
          check: fast,
          destinations: dests({ address: '10.0.0.2', weight: 5 }, { address: '10.0.0.3' }),
        },
      ],
    });
    expect(table.services.get(SVC)?.scheduler).toBe('rr');
    expect([table.weight(SVC, '10.0.0.2:80'), table.weight(SVC, '10.0.0.3:80')]).toEqual([5, 1]);
    const states = collect(checker, 'state');

    alive.delete('10.0.0.2');
    await until('weight 0', () => table.weight(SVC, '10.0.0.2:80') === 0);
    expect(states).toContainEqual(
      expect.objectContaining({
        service: SVC,
        destination: '10.0.0.2:80',
        from: 'up',
        to: 'down',
        detail: 'probe: unhealthy',
      }),
    );
    const lastCheck = (ok: boolean, detail: string) => ({
      ok,
      detail,
      at: expect.any(Number) as number,
      seconds: expect.any(Number) as number,
    });
    expect(checker.status()[0]?.destinations).toEqual([
      {
        destination: '10.0.0.2:80',
        health: 'down',
        weight: 0,
        configuredWeight: 5,
        failures: expect.any(Number) as number,
        lastCheck: lastCheck(false, 'probe: unhealthy'),
      },
      {
        destination: '10.0.0.3:80',
        health: 'up',
        weight: 1,
        configuredWeight: 1,
        failures: 0,
        lastCheck: lastCheck(true, expect.any(String) as string),
      },
    ]);
    const down = checker.status()[0]?.destinations[0];
    expect(down?.failures).toBeGreaterThanOrEqual(1);
    expect(down?.lastCheck?.at).toBeLessThanOrEqual(Date.now());
    expect(down?.lastCheck?.seconds).toBeGreaterThanOrEqual(0);

    alive.add('10.0.0.2');
    await until('weight back', () => table.weight(SVC, '10.0.0.2:80') === 5);
    expect(states.at(-1)).toMatchObject({ destination: '10.0.0.2:80', from: 'down', to: 'up' });
  });

  it('removes a failed server with onFailure remove, and adds it back', async () => {
    alive.add('10.0.0.3');
    const { table } = await startChecker({
      services: [
        {
          ...vip,
          onFailure: 'remove',
          check: fast,
          destinations: dests({ address: '10.0.0.2' }, { address: '10.0.0.3' }),
        },
      ],
    });
    await until('removed', () => table.weight(SVC, '10.0.0.2:80') === undefined);
    expect(table.weight(SVC, '10.0.0.3:80')).toBe(1);
    alive.add('10.0.0.2');
    await until('added back', () => table.weight(SVC, '10.0.0.2:80') === 1);
  });

  it('needs rise successes and fall failures in a row', async () => {
    alive.add('10.0.0.2');
    const { checker, table } = await startChecker({
      services: [
        {
          ...vip,
          check: { ...fast, rise: 3, fall: 3 },
          destinations: dests({ address: '10.0.0.2' }),
        },
      ],
    });
    const checks = collect(checker, 'check');
    await until('first verdict', () => checker.status()[0]?.destinations[0]?.health === 'up');
    alive.delete('10.0.0.2');
    await until('down', () => table.weight(SVC, '10.0.0.2:80') === 0);
    const failures = checks.filter((c) => !c.ok);
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(failures.slice(0, 2).map((c) => c.health)).toEqual(['up', 'up']);
    expect(failures[2]?.health).toBe('down');
    // Every failed cycle made 1 + retries attempts.
    expect(failures.every((c) => c.attempts === 2)).toBe(true);
  });

  it('brings in the sorry server below quorum and takes it out when quorum returns, with hysteresis', async () => {
    alive.add('10.0.0.2').add('10.0.0.3').add('10.0.0.4');
    // Total weight 4; quorum 3, hysteresis 1: lost below 2, regained at 4.
    const { checker, table, logs } = await startChecker({
      services: [
        {
          ...vip,
          check: fast,
          quorum: 3,
          hysteresis: 1,
          sorryServer: { address: '10.0.0.9', forward: 'masq' },
          destinations: dests(
            { address: '10.0.0.2' },
            { address: '10.0.0.3' },
            { address: '10.0.0.4', weight: 2 },
          ),
        },
      ],
    });
    const quorum = collect(checker, 'quorum');
    expect(table.weight(SVC, '10.0.0.9:80')).toBeUndefined();

    alive.delete('10.0.0.4'); // 2 left: below quorum, but not below quorum - hysteresis
    await until('.4 down', () => table.weight(SVC, '10.0.0.4:80') === 0);
    expect(table.weight(SVC, '10.0.0.9:80')).toBeUndefined();
    alive.delete('10.0.0.2'); // 1 left: lost
    await until('sorry in', () => table.weight(SVC, '10.0.0.9:80') === 1);
    expect([
      table.weight(SVC, '10.0.0.2:80'),
      table.weight(SVC, '10.0.0.3:80'),
      table.weight(SVC, '10.0.0.4:80'),
    ]).toEqual([0, 0, 0]);
    expect(quorum).toEqual([
      {
        service: SVC,
        met: false,
        healthyWeight: 1,
        quorum: 3,
        hysteresis: 1,
        sorryServer: '10.0.0.9:80',
      },
    ]);
    expect(logs.some((r) => r.event === 'quorum-lost' && r.level === 'warn')).toBe(true);

    alive.add('10.0.0.2'); // 2: reaches quorum - hysteresis but not quorum + hysteresis: stays lost
    await until('.2 up', () => checker.status()[0]?.destinations[0]?.health === 'up');
    await checker.reconcileNow();
    expect(table.weight(SVC, '10.0.0.9:80')).toBe(1);
    expect(table.weight(SVC, '10.0.0.2:80')).toBe(0);
    alive.add('10.0.0.4'); // 4 = quorum + hysteresis: regained
    await until('sorry out', () => table.weight(SVC, '10.0.0.9:80') === undefined);
    expect([
      table.weight(SVC, '10.0.0.2:80'),
      table.weight(SVC, '10.0.0.3:80'),
      table.weight(SVC, '10.0.0.4:80'),
    ]).toEqual([1, 1, 2]);
    expect(quorum.at(-1)).toMatchObject({ met: true, healthyWeight: 4 });
    expect(logs.some((r) => r.event === 'quorum-regained')).toBe(true);
  });

  it('repairs drift: a changed weight, a deleted destination, a stray one, a deleted service', async () => {
    alive.add('10.0.0.2').add('10.0.0.3');
    const { checker, table, logs } = await startChecker({
      services: [
        {
          ...vip,
          check: fast,
          destinations: dests({ address: '10.0.0.2', weight: 3 }, { address: '10.0.0.3' }),
        },
      ],
    });
    const syncs = collect(checker, 'sync');
    await table.batch((b) => {
      b.editDestination(vip, { address: '10.0.0.2', forward: 'masq', weight: 9 });
      b.deleteDestination(vip, { address: '10.0.0.3' });
      b.addDestination(vip, { address: '10.0.0.7', forward: 'masq' });
    });
    await checker.reconcileNow();
    expect([
      table.weight(SVC, '10.0.0.2:80'),
      table.weight(SVC, '10.0.0.3:80'),
      table.weight(SVC, '10.0.0.7:80'),
    ]).toEqual([3, 1, undefined]);
    expect(syncs.at(-1)?.repairs.map((r) => `${r.op} ${r.why}`)).toEqual([
      'addDestination missing',
      'editDestination weight 9 -> 3',
      'deleteDestination not wanted',
    ]);
    expect(logs.filter((r) => r.event === 'drift-repaired')).toHaveLength(3);

    await table.batch((b) => b.deleteService(vip));
    await checker.reconcileNow();
    expect([table.weight(SVC, '10.0.0.2:80'), table.weight(SVC, '10.0.0.3:80')]).toEqual([3, 1]);
  });

  it('repairs drift by itself on the reconcile interval', async () => {
    alive.add('10.0.0.2');
    const { table } = await startChecker({
      reconcileInterval: 20,
      services: [{ ...vip, check: fast, destinations: dests({ address: '10.0.0.2', weight: 3 }) }],
    });
    await table.batch((b) =>
      b.editDestination(vip, { address: '10.0.0.2', forward: 'masq', weight: 1 }),
    );
    await until('repaired', () => table.weight(SVC, '10.0.0.2:80') === 3);
  });

  it('reloads by difference: unchanged checks keep their health, removed services are deleted, nothing is flushed', async () => {
    alive.add('10.0.0.3');
    const other = { protocol: 'tcp', address: '192.168.8.201', port: 443 } as const;
    const first: HealthConfigInput = {
      services: [
        {
          ...vip,
          check: fast,
          destinations: dests({ address: '10.0.0.2' }, { address: '10.0.0.3' }),
        },
        { ...other, destinations: dests({ address: '10.0.0.5' }) },
      ],
    };
    const { checker, table } = await startChecker(first);
    await until('2 down', () => table.weight(SVC, '10.0.0.2:80') === 0);
    const sent = table.batches.length;

    await checker.reload(
      validateHealthConfig(
        {
          services: [
            {
              ...vip,
              check: fast,
              destinations: dests(
                { address: '10.0.0.2' },
                { address: '10.0.0.3', weight: 4 },
                { address: '10.0.0.4' },
              ),
            },
          ],
        },
        { customChecks: { probe } },
      ),
    );
    // One batch: the dropped service, the new server, the new weight; .2 stays inhibited.
    expect(table.batches[sent]).toEqual([
      'deleteService tcp 192.168.8.201:443',
      'addDestination 10.0.0.4:80',
      'editDestination 10.0.0.3:80 weight 4',
    ]);
    expect(table.services.has('tcp 192.168.8.201:443')).toBe(false);
    expect(table.weight(SVC, '10.0.0.2:80')).toBe(0);
    expect(checker.status()[0]?.destinations[0]).toMatchObject({
      destination: '10.0.0.2:80',
      health: 'down',
      weight: 0,
    });
    await until('4 down', () => table.weight(SVC, '10.0.0.4:80') === 0);
  });

  it('stops cleanly: no timer left, and with flush the managed services go (and only they)', async () => {
    const baseline = await timerBaseline();
    alive.add('10.0.0.2');
    const table = new FakeIpvsTable();
    await table.batch((b) => b.addService({ protocol: 'udp', address: '192.168.8.1', port: 53 }));
    const { checker } = await startChecker(
      {
        reconcileInterval: 15,
        services: [{ ...vip, check: fast, destinations: dests({ address: '10.0.0.2' }) }],
      },
      table,
    );
    await until('checked', () => checker.status()[0]?.destinations[0]?.health === 'up');
    expect(timers()).toBeGreaterThan(baseline);
    const stopped = collect(checker, 'stopped');
    await checker.stop({ flush: true });
    expect(stopped).toHaveLength(1);
    expect([...table.services.keys()]).toEqual(['udp 192.168.8.1:53']);
    // The test runner keeps timers of its own now and then: wait out a passing one, never more.
    // A timer of an earlier test's may also end meanwhile, which takes the count below the
    // baseline; what the checker must not do is keep one of its own.
    await until('timers back to the baseline', () => timers() <= baseline);
    expect(timers()).toBeLessThanOrEqual(baseline);
  });

  it('refuses to start, with nothing running, when the table cannot be read', async () => {
    const table = new FakeIpvsTable();
    table.listServices = () => Promise.reject(new Error('netlink socket closed'));
    const checker = new HealthChecker(
      table,
      validateHealthConfig(
        { services: [{ ...vip, check: fast, destinations: dests({ address: '10.0.0.2' }) }] },
        { customChecks: { probe } },
      ),
    );
    await expect(checker.start()).rejects.toThrow('netlink socket closed');
    expect(checker.status()[0]?.destinations[0]?.health).toBe('unknown');
  });
});
