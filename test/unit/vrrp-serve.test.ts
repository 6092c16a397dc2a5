// The serve config's `vrrp` list through `ipvs serve --check` and the config loader (errors with
// file, line and path; trackServices naming the config's services), and the reload rules of
// VrrpInstances (unchanged, live, restart) on a simulated link.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../lib/cli/commands/serve.js';
import { validateVrrpConfig } from '../../lib/vrrp/config.js';
import { reloadKind, VrrpInstances } from '../../lib/vrrp/instances.js';
import { parseServeConfig } from '../../lib/fleet/serve-config.js';
import { captureOutput } from '../support/capture-output.js';
import { FakeHost, FakeLink, FakeSyncDaemons, LogCapture } from '../support/fake-vrrp.js';

const CONFIG = `services:
  - protocol: tcp
    address: 192.168.8.200
    port: 80
    scheduler: rr
    destinations:
      - { address: 192.168.8.20, forward: dr, check: { type: tcp } }
vrrp:
  - name: VI_1
    interface: eth0
    virtualRouterId: 51
    priority: 150
    advertisementInterval: 1s
    version: 2
    preempt: true
    preemptDelay: 0s
    virtualAddresses: [192.168.8.200/24]
    unicastPeers: []
    syncDaemon: { interface: eth0, syncId: 51 }
    trackServices: [{ service: "tcp 192.168.8.200:80", weight: -100 }]
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ipvs-serve-vrrp-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('ipvs serve with a vrrp list', () => {
  it('--check validates the issue example and prints each instance', async () => {
    const file = join(dir, 'ha.yaml');
    writeFileSync(file, CONFIG);
    expect(await captureOutput(run, file, '--check')).toEqual({
      code: 0,
      stdout:
        `${file}: ok, 1 services, 1 checks, 1 vrrp instances\n` +
        '  vrrp VI_1: eth0 VRID 51 priority 150 v2, every 1s, preempt after 0s, 192.168.8.200/24, ' +
        'multicast, sync on eth0 id 51, tracking tcp 192.168.8.200:80 -100\n',
      stderr: '',
    });
  });

  it('reports a tracked service the config does not have, with file and line', () => {
    const text = CONFIG.replace('"tcp 192.168.8.200:80"', '"tcp 192.168.8.200:443"');
    expect(() => parseServeConfig(text, 'ha.yaml')).toThrow(
      /^ha\.yaml:20: vrrp\[0\]\.trackServices\[0\]\.service names no service of the config \(known: tcp 192\.168\.8\.200:80\)/,
    );
  });

  it('reports a bad vrrp field with its line, and still refuses unknown top-level keys', () => {
    expect(() =>
      parseServeConfig(CONFIG.replace('priority: 150', 'priority: 300'), 'ha.yaml'),
    ).toThrow(/^ha\.yaml:12: vrrp\[0\]\.priority /);
    expect(() => parseServeConfig(`${CONFIG}vrp: []\n`, 'ha.yaml')).toThrow(/vrp/);
  });

  it('without a vrrp list the config is the health config alone', () => {
    const config = parseServeConfig(CONFIG.slice(0, CONFIG.indexOf('vrrp:')), 'lb.yaml');
    expect(config.vrrp).toEqual([]);
    expect(config.health.services).toHaveLength(1);
  });
});

function instanceConfig(fields: Record<string, unknown> = {}) {
  const [one] = validateVrrpConfig([
    {
      name: 'VI_1',
      interface: 'eth0',
      virtualRouterId: 51,
      priority: 150,
      virtualAddresses: ['192.168.8.200/24'],
      ...fields,
    },
  ]);
  if (!one) throw new Error('no config');
  return one;
}

describe('reloading VRRP instances', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('tells unchanged, live and restart changes apart', () => {
    const base = instanceConfig();
    expect(reloadKind(base, instanceConfig())).toBe('same');
    expect(reloadKind(base, instanceConfig({ priority: 120 }))).toBe('live');
    expect(reloadKind(base, instanceConfig({ notify: { master: ['/bin/true'] } }))).toBe('live');
    expect(reloadKind(base, instanceConfig({ priority: 255 }))).toBe('restart');
    expect(reloadKind(base, instanceConfig({ virtualAddresses: ['192.168.8.201/24'] }))).toBe(
      'restart',
    );
    expect(reloadKind(base, instanceConfig({ advertisementInterval: '2s' }))).toBe('restart');
  });

  it('keeps an unchanged master running, lowers a priority live, restarts a changed one', async () => {
    const link = new FakeLink();
    const host = new FakeHost(link, '192.168.8.10');
    const logs = new LogCapture();
    const group = new VrrpInstances({
      network: host,
      host,
      ipvs: new FakeSyncDaemons(),
      log: logs.log,
    });
    const second = instanceConfig({
      name: 'VI_2',
      virtualRouterId: 52,
      virtualAddresses: ['10.1.1.1/32'],
    });
    await group.start([instanceConfig(), second]);
    await vi.advanceTimersByTimeAsync(5_000);
    const [one, two] = group.instances;
    expect([one?.state, two?.state]).toEqual(['master', 'master']);

    await group.reload([instanceConfig({ priority: 120 }), second]);
    expect(group.instances[0]).toBe(one); // the same running instance
    expect(one?.priority).toBe(120);
    expect(one?.state).toBe('master');
    expect(group.instances[1]).toBe(two);

    await group.reload([
      instanceConfig({ priority: 120 }),
      { ...second, virtualAddresses: [{ address: '10.1.1.2', prefixLength: 32 }] },
    ]);
    expect(group.instances[1]).not.toBe(two);
    expect(two?.state).toBe('initialize');
    expect(logs.events('vrrp-restart').map((r) => r.instance)).toEqual(['VI_2']);
    expect(logs.events('vrrp-updated').map((r) => r.instance)).toEqual(['VI_1']);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(host.virtual.sort()).toEqual(['10.1.1.2', '192.168.8.200']);

    await group.reload([instanceConfig({ priority: 120 })]);
    expect(group.instances).toHaveLength(1);
    expect(host.virtual).toEqual(['192.168.8.200']);
    await group.stop();
    expect(host.virtual).toEqual([]);
    expect(group.instances).toHaveLength(0);
  });

  it('replays lost quorum into instances started later', async () => {
    const link = new FakeLink();
    const host = new FakeHost(link, '192.168.8.10');
    const group = new VrrpInstances({
      network: host,
      host,
      ipvs: new FakeSyncDaemons(),
      log: new LogCapture().log,
    });
    group.quorumChanged('tcp 192.168.8.200:80', false);
    await group.start([
      instanceConfig({ trackServices: [{ service: 'tcp 192.168.8.200:80', weight: -50 }] }),
    ]);
    expect(group.instances[0]?.priority).toBe(100);
    group.quorumChanged('tcp 192.168.8.200:80', true);
    expect(group.instances[0]?.priority).toBe(150);
    await group.stop();
  });
});
