// The fleet's shared desired state without etcd: the key layout and push file, the merge with a
// director's local config, and SharedState / FleetMember following an in-memory store (changes
// applied once each, refused revisions, losing and regaining the store, SIGHUP's local re-read,
// the lease-bound status entry).
import { describe, expect, it, vi } from 'vitest';
import { mergeDesiredState } from '../../lib/fleet/desired-state.js';
import { FleetMember } from '../../lib/fleet/fleet-member.js';
import type { ServeConfig } from '../../lib/fleet/serve-config.js';
import { SharedState } from '../../lib/fleet/shared-state.js';
import {
  decodeSharedServices,
  directorKey,
  encodePushFile,
  serviceKey,
  servicesPrefix,
} from '../../lib/fleet/shared-services.js';
import type { LogRecord } from '../../lib/health/log.js';
import { FakeDesiredStateStore } from '../support/fake-desired-state-store.js';

const P = '/lb';
const web = {
  protocol: 'tcp',
  address: '192.168.8.200',
  port: 80,
  destinations: [{ address: '10.0.0.2', weight: 3 }],
};
const dns = {
  protocol: 'udp',
  address: '192.168.8.200',
  port: 53,
  destinations: [{ address: '10.0.0.3' }],
};
const WEB = 'tcp 192.168.8.200:80';
const DNS = 'udp 192.168.8.200:53';

function pushed(store: FakeDesiredStateStore, ...services: object[]): void {
  const yaml = `services:\n${services.map((s) => `  - ${JSON.stringify(s)}`).join('\n')}\n`;
  void store.replacePrefix(servicesPrefix(P), encodePushFile(yaml, 'push.yaml', P));
}

const ids = (config: ServeConfig): string[] => config.health.services.map((s) => s.id);
const weightOf = (config: ServeConfig | undefined, id: string): number | undefined =>
  config?.health.services.find((s) => s.id === id)?.destinations[0]?.dest.weight;

describe('the key layout and the push file', () => {
  it('puts each service under its identity, as the entry was written', () => {
    const entries = encodePushFile(`services:\n  - ${JSON.stringify(web)}\n`, 'f.yaml', P);
    expect([...entries]).toEqual([[`/lb/services/${WEB}`, JSON.stringify(web)]]);
    expect(directorKey(P, 'd1')).toBe('/lb/directors/d1');
  });

  it('refuses what is local to a director, and a bad service, with the file and line', () => {
    expect(() => encodePushFile('services: []\nvrrp: []\n', 'f.yaml', P)).toThrow(
      /^f\.yaml:2: vrrp is local to each director/,
    );
    expect(() =>
      encodePushFile(
        'services:\n  - protocol: tcp\n    address: 10.0.0.1\n    port: http\n',
        'f.yaml',
        P,
      ),
    ).toThrow(/^f\.yaml:4: services\[0\]\.port/);
  });

  it('reads values back, naming the key of a bad one', () => {
    const good = new Map([[serviceKey(P, WEB), JSON.stringify(web)]]);
    expect(decodeSharedServices(P, good).map((s) => s.service.id)).toEqual([WEB]);
    expect(() => decodeSharedServices(P, new Map([[serviceKey(P, WEB), '{']]))).toThrow(
      `${serviceKey(P, WEB)}: is not JSON`,
    );
    expect(() =>
      decodeSharedServices(
        P,
        new Map([[serviceKey(P, WEB), JSON.stringify({ ...web, port: -1 })]]),
      ),
    ).toThrow(new RegExp(`^/lb/services/${WEB}: port must be`));
    expect(() =>
      decodeSharedServices(P, new Map([[serviceKey(P, DNS), JSON.stringify(web)]])),
    ).toThrow(`/lb/services/${DNS}: holds service ${WEB}, whose key is /lb/services/${WEB}`);
  });
});

describe('merging the local config with the shared services', () => {
  const shared = decodeSharedServices(P, new Map([[serviceKey(P, WEB), JSON.stringify(web)]]));
  const vrrp = `vrrp:\n  - { name: VI_1, interface: eth0, virtualRouterId: 51, priority: 100, virtualAddresses: [192.168.8.200/24], trackServices: [{ service: "${WEB}", weight: -50 }] }\n`;

  it('takes local services first, then the shared ones; VRRP may track a shared service', () => {
    const local = { file: 'd.yaml', text: `services:\n  - ${JSON.stringify(dns)}\n${vrrp}` };
    const config = mergeDesiredState(local, shared);
    expect(ids(config)).toEqual([DNS, WEB]);
    expect(config.vrrp[0]?.trackServices[0]?.service).toBe(WEB);
    expect(ids(mergeDesiredState({ file: 'd.yaml', text: vrrp }, shared))).toEqual([WEB]);
    expect(ids(mergeDesiredState(undefined, shared))).toEqual([WEB]);
    expect(ids(mergeDesiredState({ file: 'empty.yaml', text: '' }, []))).toEqual([]);
  });

  it('refuses a service both local and shared, naming both places', () => {
    const local = { file: 'd.yaml', text: `services:\n  - ${JSON.stringify(web)}\n` };
    expect(() => mergeDesiredState(local, shared)).toThrow(
      `/lb/services/${WEB}: service ${WEB} is also in d.yaml (services[0]); a service is either local or shared`,
    );
  });

  it('applies the local consistentHashing preset and bgp gate to the shared services', () => {
    const two = { ...web, destinations: [{ address: '10.0.0.9' }, { address: '10.0.0.2' }] };
    const entries = new Map([[serviceKey(P, WEB), JSON.stringify(two)]]);
    const local = {
      file: 'd.yaml',
      text: 'consistentHashing: true\nbgp: { asn: 65001, announce: [{ prefix: 192.168.8.200/32 }] }\n',
    };
    const config = mergeDesiredState(local, decodeSharedServices(P, entries));
    const [service] = config.health.services;
    expect(service?.scheduler).toBe('mh');
    expect(service?.destinations.map((d) => d.dest.address)).toEqual(['10.0.0.2', '10.0.0.9']);
    expect(service?.path).toBe(serviceKey(P, WEB));
    expect(config.bgp?.announce[0]?.services).toEqual([WEB]);
    const wlc = new Map([[serviceKey(P, WEB), JSON.stringify({ ...web, scheduler: 'wlc' })]]);
    expect(() => mergeDesiredState(local, decodeSharedServices(P, wlc))).toThrow(
      new RegExp(`^/lb/services/${WEB}: scheduler must be mh or left out with consistentHashing`),
    );
  });

  it('keeps the local file and line in a local error', () => {
    const local = { file: 'd.yaml', text: 'services: []\nreconcileInterval: soon\n' };
    expect(() => mergeDesiredState(local, [])).toThrow(/^d\.yaml:2: reconcileInterval/);
  });
});

/** A SharedState on a fake store, its applied configs and its log. */
async function following(
  store: FakeDesiredStateStore,
  local = { file: 'd.yaml', text: 'reconcileInterval: 0s\n' },
) {
  const applied: ServeConfig[] = [];
  const logs: LogRecord[] = [];
  const shared = new SharedState({
    store,
    prefix: P,
    local,
    apply: (config) => {
      applied.push(config);
      return Promise.resolve();
    },
    log: (record) => logs.push(record),
    debounceMs: 5,
    retryMs: 5,
  });
  const first = await shared.initial();
  shared.follow();
  const events = (name: string): LogRecord[] => logs.filter((r) => r.event === name);
  return { shared, first, applied, logs, events };
}

describe('SharedState', () => {
  it('starts with the first revision and applies each change once, by the whole prefix', async () => {
    const store = new FakeDesiredStateStore();
    pushed(store, web);
    const { shared, first, applied } = await following(store);
    expect(ids(first)).toEqual([WEB]);
    pushed(store, { ...web, destinations: [{ address: '10.0.0.2', weight: 7 }] }, dns);
    await vi.waitFor(() => {
      expect(applied).toHaveLength(1);
    });
    expect(ids(applied[0] as ServeConfig)).toEqual([WEB, DNS]);
    expect(weightOf(applied[0], WEB)).toBe(7);
    pushed(store, dns);
    await vi.waitFor(() => {
      expect(applied).toHaveLength(2);
    });
    expect(ids(applied[1] as ServeConfig)).toEqual([DNS]);
    // A write elsewhere under the prefix with the same services is no change.
    store.put('/lb/services-unrelated', 'x');
    pushed(store, dns);
    await new Promise((r) => setTimeout(r, 30));
    expect(applied).toHaveLength(2);
    expect(shared.status()).toMatchObject({
      sharedServices: 1,
      refused: undefined,
      connected: true,
    });
    await shared.stop();
  });

  it('refuses a bad revision, keeps the last good, and applies the next good one', async () => {
    const store = new FakeDesiredStateStore();
    pushed(store, web);
    const { shared, applied, events } = await following(store);
    const good = shared.status().revision;
    store.put(serviceKey(P, DNS), JSON.stringify({ ...dns, scheduler: 42 }));
    await vi.waitFor(() => {
      expect(events('etcd-revision-refused')).toHaveLength(1);
    });
    expect(events('etcd-revision-refused')[0]).toMatchObject({
      level: 'error',
      error: expect.stringMatching(new RegExp(`^/lb/services/${DNS}: scheduler`)) as unknown,
    });
    expect(applied).toEqual([]);
    expect(shared.status()).toMatchObject({ revision: good, sharedServices: 1 });
    expect(shared.status().refused?.revision).not.toBe(good);
    store.put(serviceKey(P, DNS), JSON.stringify(dns));
    await vi.waitFor(() => {
      expect(applied).toHaveLength(1);
    });
    expect(ids(applied[0] as ServeConfig)).toEqual([WEB, DNS]);
    expect(shared.status().refused).toBeUndefined();
    await shared.stop();
  });

  it('refuses a revision that redefines a local service', async () => {
    const store = new FakeDesiredStateStore();
    const local = { file: 'd.yaml', text: `services:\n  - ${JSON.stringify(dns)}\n` };
    const { shared, applied, events } = await following(store, local);
    pushed(store, web, dns);
    await vi.waitFor(() => {
      expect(events('etcd-revision-refused')).toHaveLength(1);
    });
    expect(String(events('etcd-revision-refused')[0]?.error)).toMatch(/is also in d\.yaml/);
    expect(applied).toEqual([]);
    await shared.stop();
  });

  it('keeps going without the store, and catches up with what was written meanwhile', async () => {
    const store = new FakeDesiredStateStore();
    pushed(store, web);
    const { shared, applied, events } = await following(store);
    store.down();
    expect(events('etcd-lost')).toHaveLength(1);
    expect(shared.status().connected).toBe(false);
    store.put(serviceKey(P, DNS), JSON.stringify(dns)); // missed by the watch
    await new Promise((r) => setTimeout(r, 30));
    expect(applied).toEqual([]);
    store.up();
    await vi.waitFor(() => {
      expect(applied).toHaveLength(1);
    });
    expect(ids(applied[0] as ServeConfig)).toEqual([WEB, DNS]);
    expect(events('etcd-back')).toHaveLength(1);
    expect(events('etcd-lost')).toHaveLength(1);
    await shared.stop();
  });

  it('reads the store again before the watch is back', async () => {
    const store = new FakeDesiredStateStore();
    pushed(store, web);
    const { shared, applied, events } = await following(store);
    store.down();
    store.put(serviceKey(P, DNS), JSON.stringify(dns));
    store.up({ watch: false });
    await vi.waitFor(() => {
      expect(applied).toHaveLength(1);
    });
    expect(ids(applied[0] as ServeConfig)).toEqual([WEB, DNS]);
    expect(events('etcd-back')).toHaveLength(1);
    await shared.stop();
  });

  it('waits for the store at start', async () => {
    const store = new FakeDesiredStateStore();
    pushed(store, web);
    store.down();
    const logs: LogRecord[] = [];
    const shared = new SharedState({
      store,
      prefix: P,
      local: undefined,
      apply: () => Promise.resolve(),
      log: (record) => logs.push(record),
      retryMs: 5,
    });
    const started = shared.initial();
    await vi.waitFor(() => {
      expect(logs.map((r) => r.event)).toContain('etcd-lost');
    });
    store.up();
    expect(ids(await started)).toEqual([WEB]);
    expect(logs.map((r) => r.event)).toEqual(['etcd-lost', 'etcd-back', 'etcd-revision-applied']);
    await shared.stop();
  });

  it('fails at once when told not to wait (--check)', async () => {
    const store = new FakeDesiredStateStore();
    store.down();
    const shared = new SharedState({
      store,
      prefix: P,
      local: undefined,
      apply: () => Promise.resolve(),
      log: () => undefined,
      waitForStore: false,
    });
    await expect(shared.initial()).rejects.toThrow(
      'could not read /lb/services/: etcd unreachable (fake)',
    );
  });

  it('re-reads the local file on demand, merged with the last good shared state', async () => {
    const store = new FakeDesiredStateStore();
    pushed(store, web);
    const { shared, applied, events } = await following(store);
    await shared.reloadLocal({ file: 'd.yaml', text: `services:\n  - ${JSON.stringify(dns)}\n` });
    expect(ids(applied[0] as ServeConfig)).toEqual([DNS, WEB]);
    await shared.reloadLocal({ file: 'd.yaml', text: `services:\n  - ${JSON.stringify(web)}\n` });
    expect(applied).toHaveLength(1);
    expect(String(events('reload-failed')[0]?.error)).toMatch(/is also in d\.yaml/);
    await shared.stop();
  });
});

describe('FleetMember', () => {
  it('publishes its status under a lease, again after the lease was lost, and removes it on stop', async () => {
    const store = new FakeDesiredStateStore();
    pushed(store, web);
    const { member, config } = await FleetMember.join({
      store,
      urls: [],
      prefix: P,
      name: 'd1',
      statusTtlSeconds: 3,
      local: undefined,
      log: () => undefined,
    });
    member.follow(
      () => Promise.resolve(),
      () => [
        {
          service: WEB,
          quorumMet: true,
          healthyWeight: 3,
          sorryServerActive: false,
          destinations: [
            {
              destination: '10.0.0.2:80',
              health: 'up',
              weight: 3,
              configuredWeight: 3,
              failures: 0,
              lastCheck: undefined,
            },
          ],
        },
      ],
    );
    expect(ids(config)).toEqual([WEB]);
    const key = directorKey(P, 'd1');
    await vi.waitFor(() => {
      expect(store.data.has(key)).toBe(true);
    });
    expect(JSON.parse(store.data.get(key) ?? '')).toMatchObject({
      name: 'd1',
      services: 1,
      sharedServices: 1,
      destinations: { up: 1, down: 0, unknown: 0 },
      quorumLost: [],
      refused: null,
    });
    store.expireLeases();
    expect(store.data.has(key)).toBe(false);
    await vi.waitFor(
      () => {
        expect(store.data.has(key)).toBe(true);
      },
      { timeout: 3000 },
    );
    await member.stop();
    expect(store.data.has(key)).toBe(false);
  });
});
