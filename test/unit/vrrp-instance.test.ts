// Running VRRP instances on a simulated link under fake timers: the election with addresses,
// sync daemons and log lines; a clean stop's priority 0; unicast peers; the announcement burst
// and its repeat; notify commands; the fault state; tracked services; bad datagrams.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { validateVrrpConfig } from '../../lib/vrrp/config.js';
import { VrrpInstance } from '../../lib/vrrp/instance.js';
import { decodeAdvertisement } from '../../lib/vrrp/packet.js';
import type { RunCommand } from '../../lib/vrrp/notify.js';
import { FakeHost, FakeLink, FakeSyncDaemons, LogCapture } from '../support/fake-vrrp.js';

const A = '192.168.8.10';
const B = '192.168.8.11';
const VIP = '192.168.8.200';

function config(fields: Record<string, unknown> = {}) {
  const [one] = validateVrrpConfig([
    {
      name: 'VI_1',
      interface: 'eth0',
      virtualRouterId: 51,
      priority: 100,
      virtualAddresses: [`${VIP}/24`],
      syncDaemon: { interface: 'eth0', syncId: 51 },
      ...fields,
    },
  ]);
  if (!one) throw new Error('no config');
  return one;
}

interface Router {
  host: FakeHost;
  ipvs: FakeSyncDaemons;
  logs: LogCapture;
  instance: VrrpInstance;
  commands: { argv: readonly string[]; env: Record<string, string> }[];
}

function router(
  link: FakeLink,
  address: string,
  fields: Record<string, unknown> = {},
  run?: RunCommand,
): Router {
  const host = new FakeHost(link, address);
  const ipvs = new FakeSyncDaemons();
  const logs = new LogCapture();
  const commands: Router['commands'] = [];
  const runCommand: RunCommand =
    run ??
    ((argv, env) => {
      commands.push({ argv, env });
      return Promise.resolve();
    });
  const instance = new VrrpInstance({
    config: config(fields),
    network: host,
    host,
    ipvs,
    log: logs.log,
    runCommand,
  });
  return { host, ipvs, logs, instance, commands };
}

function sentBy(link: FakeLink, from: string) {
  return link.sent
    .filter((s) => s.from === from)
    .map((s) => {
      const decoded = decodeAdvertisement(s.message, {
        family: 'ipv4',
        source: s.from,
        destination: s.destination,
      });
      if (!decoded.ok) throw new Error(decoded.detail);
      return { destination: s.destination, priority: decoded.advertisement.priority };
    });
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('VrrpInstance on a simulated link', () => {
  it('elects the higher priority, which holds the VIP (labelled) and runs the master daemon', async () => {
    const link = new FakeLink();
    const a = router(link, A, { priority: 150 });
    const b = router(link, B, { priority: 100 });
    await a.instance.start();
    await b.instance.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect([a.instance.state, b.instance.state]).toEqual(['master', 'backup']);
    expect(a.host.virtual).toEqual([VIP]);
    expect(a.host.addressList.find((x) => x.address === VIP)?.label).toBe('eth0:vip');
    expect(b.host.virtual).toEqual([]);
    expect([...a.ipvs.running.keys()]).toEqual(['master']);
    expect(a.ipvs.running.get('master')).toEqual({
      interface: 'eth0',
      syncId: 51,
      state: 'master',
    });
    expect([...b.ipvs.running.keys()]).toEqual(['backup']);
    expect(a.logs.events('vrrp-state').map((r) => [r.state, r.from, r.reason])).toEqual([
      ['backup', 'initialize', 'startup'],
      ['master', 'backup', 'master-down'],
    ]);
    expect(a.logs.events('vrrp-state')[1]).toMatchObject({ instance: 'VI_1', priority: 150 });
    // Only the master advertises: once at the takeover (3415 ms), then every second.
    expect(sentBy(link, A)).toHaveLength(7);
    expect(sentBy(link, B)).toHaveLength(0);
    expect(b.instance.counters.advertisementsReceived).toBe(7);
    await a.instance.stop();
    await b.instance.stop();
  });

  it('a stop sends priority 0, so the backup takes over after one skew time; all is undone', async () => {
    const link = new FakeLink();
    const a = router(link, A, { priority: 150, notify: { stop: ['/bin/notify', 'stop'] } });
    const b = router(link, B, { priority: 100 });
    await a.instance.start();
    await b.instance.start();
    await vi.advanceTimersByTimeAsync(10_000);
    const stopped = Date.now();
    await a.instance.stop();
    expect(sentBy(link, A).at(-1)).toEqual({ destination: '224.0.0.18', priority: 0 });
    expect(a.host.virtual).toEqual([]);
    expect(a.ipvs.running.size).toBe(0);
    expect(a.host.channel?.closed).toBe(true);
    expect(a.host.announcer.closed).toBe(true);
    expect(a.commands.map((c) => c.argv)).toEqual([['/bin/notify', 'stop']]);
    expect(a.logs.events('vrrp-stopped')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(609);
    expect(b.instance.state).toBe('backup');
    await vi.advanceTimersByTimeAsync(1);
    expect(b.instance.state).toBe('master');
    expect(Date.now() - stopped).toBe(610);
    expect(b.host.virtual).toEqual([VIP]);
    expect([...b.ipvs.running.keys()]).toEqual(['master']);
    await b.instance.stop();
  });

  it('sends each advertisement to every unicast peer, and drops a stranger', async () => {
    const link = new FakeLink();
    const a = router(link, A, { priority: 150, unicastPeers: [B, '192.168.8.12'] });
    await a.instance.start();
    await vi.advanceTimersByTimeAsync(4_500);
    expect(sentBy(link, A)).toEqual([
      { destination: B, priority: 150 },
      { destination: '192.168.8.12', priority: 150 },
      { destination: B, priority: 150 },
      { destination: '192.168.8.12', priority: 150 },
    ]);
    const stranger = router(link, '192.168.8.99', { priority: 200 });
    await stranger.instance.start();
    await vi.advanceTimersByTimeAsync(5_000);
    // The stranger multicasts; a hears it (our fake delivers multicast to all) and drops it.
    expect(a.instance.counters.drops['unknown-peer']).toBeGreaterThan(0);
    expect(a.instance.state).toBe('master');
    await stranger.instance.stop();
    await a.instance.stop();
  });

  it('announces a burst on becoming master and again after repeatAfter', async () => {
    const link = new FakeLink();
    const a = router(link, A, {
      priority: 150,
      virtualAddresses: [`${VIP}/24`, '192.168.8.201/24'],
      announce: { count: 3, repeatAfter: '2s', repeatCount: 2 },
    });
    await a.instance.start();
    await vi.advanceTimersByTimeAsync(3415);
    expect(a.instance.state).toBe('master');
    const at = (address: string) =>
      a.host.announcer.announced.filter((x) => x.address === address).map((x) => x.at);
    expect(at(VIP)).toEqual([3415, 3415, 3415]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(at(VIP)).toEqual([3415, 3415, 3415, 5415, 5415]);
    expect(at('192.168.8.201')).toEqual([3415, 3415, 3415, 5415, 5415]);
    expect(a.instance.counters.announcements).toBe(10);
    await a.instance.stop();
  });

  it("keepalived's defaults: 5 at once, 5 more after 5 s", async () => {
    const link = new FakeLink();
    const a = router(link, A, { priority: 150 });
    await a.instance.start();
    await vi.advanceTimersByTimeAsync(20_000);
    const times = a.host.announcer.announced.map((x) => x.at);
    expect(times).toEqual([...Array<number>(5).fill(3415), ...Array<number>(5).fill(8415)]);
    await a.instance.stop();
  });

  it('runs the notify command of each state with argv and the environment, and survives one that fails', async () => {
    const link = new FakeLink();
    const runs: { argv: readonly string[]; env: Record<string, string> }[] = [];
    const a = router(
      link,
      A,
      {
        priority: 150,
        notify: { backup: ['/bin/false'], master: ['/usr/local/bin/vip', 'up', 'VI_1'] },
      },
      (argv, env) => {
        runs.push({ argv, env });
        return argv[0] === '/bin/false'
          ? Promise.reject(new Error('/bin/false: exit 1'))
          : Promise.resolve();
      },
    );
    await a.instance.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(runs.map((r) => r.argv)).toEqual([['/bin/false'], ['/usr/local/bin/vip', 'up', 'VI_1']]);
    expect(runs[1]?.env).toEqual({
      IPVS_VRRP_INSTANCE: 'VI_1',
      IPVS_VRRP_STATE: 'master',
      IPVS_VRRP_FROM: 'backup',
      IPVS_VRRP_REASON: 'master-down',
    });
    expect(a.logs.events('vrrp-notify-failed')).toMatchObject([
      { state: 'backup', command: ['/bin/false'], error: '/bin/false: exit 1' },
    ]);
    expect(a.instance.state).toBe('master');
    await a.instance.stop();
  });

  it('goes to fault when its interface goes down (priority 0, addresses gone) and back after', async () => {
    const link = new FakeLink();
    const a = router(link, A, { priority: 150, notify: { fault: ['/bin/fault'] } });
    const b = router(link, B, { priority: 100 });
    await a.instance.start();
    await b.instance.start();
    await vi.advanceTimersByTimeAsync(10_000);
    a.host.setLink(false);
    await vi.advanceTimersByTimeAsync(1000); // the link is read every second
    expect(a.instance.state).toBe('fault');
    expect(sentBy(link, A).at(-1)?.priority).toBe(0);
    expect(a.host.virtual).toEqual([]);
    expect(a.ipvs.running.size).toBe(0);
    expect(a.logs.events('vrrp-state').at(-1)).toMatchObject({
      state: 'fault',
      from: 'master',
      reason: 'interface-down',
    });
    expect(a.commands.map((c) => c.argv)).toEqual([['/bin/fault']]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(b.instance.state).toBe('master');
    const quiet = sentBy(link, A).length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sentBy(link, A)).toHaveLength(quiet); // nothing sent while in fault
    a.host.setLink(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.instance.state).toBe('backup');
    await vi.advanceTimersByTimeAsync(5_000); // preempts (150 > 100) after its master-down interval
    expect([a.instance.state, b.instance.state]).toEqual(['master', 'backup']);
    await a.instance.stop();
    await b.instance.stop();
  });

  it('a tracked service losing quorum lowers the priority by its weight: the peer takes over', async () => {
    const link = new FakeLink();
    const service = 'tcp 192.168.8.200:80';
    const a = router(link, A, { priority: 150, trackServices: [{ service, weight: -100 }] });
    const b = router(link, B, { priority: 100 });
    await a.instance.start();
    await b.instance.start();
    await vi.advanceTimersByTimeAsync(10_000);
    a.instance.quorumChanged('tcp 10.0.0.1:80', false); // not tracked: nothing changes
    expect(a.instance.priority).toBe(150);
    a.instance.quorumChanged(service, false);
    expect(a.instance.priority).toBe(50);
    expect(a.logs.events('vrrp-priority')).toMatchObject([
      { priority: 50, from: 150, lost: [service] },
    ]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect([a.instance.state, b.instance.state]).toEqual(['backup', 'master']);
    expect(a.host.virtual).toEqual([]);
    a.instance.quorumChanged(service, true);
    expect(a.instance.priority).toBe(150);
    await vi.advanceTimersByTimeAsync(5_000);
    expect([a.instance.state, b.instance.state]).toEqual(['master', 'backup']);
    await a.instance.stop();
    await b.instance.stop();
  });

  it('clamps a lowered priority at 1, and a tracked fault: true takes the instance out', async () => {
    const link = new FakeLink();
    const a = router(link, A, {
      priority: 50,
      trackServices: [
        { service: 'tcp 192.168.8.200:80', weight: -100 },
        { service: 'tcp 192.168.8.200:443', fault: true },
      ],
    });
    await a.instance.start();
    a.instance.quorumChanged('tcp 192.168.8.200:80', false);
    expect(a.instance.priority).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(a.instance.state).toBe('master');
    a.instance.quorumChanged('tcp 192.168.8.200:443', false);
    expect(a.instance.state).toBe('fault');
    expect(a.logs.events('vrrp-state').at(-1)).toMatchObject({
      state: 'fault',
      reason: 'quorum-lost',
    });
    a.instance.quorumChanged('tcp 192.168.8.200:443', true);
    expect(a.instance.state).toBe('backup');
    await a.instance.stop();
  });

  it('counts and logs refused datagrams by reason and never acts on them', async () => {
    const link = new FakeLink();
    const a = router(link, A, { priority: 100 });
    await a.instance.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(a.instance.state).toBe('master');
    const channel = a.host.channel;
    if (!channel) throw new Error('no channel');
    // A valid priority-255 advert from B, but with TTL 64; garbage; another VRID.
    const valid = Buffer.from([
      0x21, 51, 255, 1, 0, 1, 0, 0, 192, 168, 8, 200, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    valid.writeUInt16BE(checksum(valid), 6);
    const other = Buffer.from(valid);
    other[1] = 52;
    other.writeUInt16BE(0, 6);
    other.writeUInt16BE(checksum(other), 6);
    const at = (payload: Uint8Array, ttl = 255) => {
      channel.deliver({ payload, source: B, destination: '224.0.0.18', ttl });
    };
    at(valid, 64);
    at(Buffer.from('not vrrp at all'));
    at(Buffer.from([0x21, 51]));
    at(other);
    await vi.advanceTimersByTimeAsync(100);
    expect(a.instance.counters.drops).toEqual({
      ttl: 1,
      version: 1,
      'too-short': 1,
      'other-router': 1,
    });
    expect(a.logs.events('vrrp-drop').map((r) => r.reason)).toEqual([
      'ttl',
      'version',
      'too-short',
      'other-router',
    ]);
    expect(a.instance.state).toBe('master');
    at(valid); // the same packet with TTL 255 is acted on: 255 outranks 100
    await vi.advanceTimersByTimeAsync(100);
    expect(a.instance.state).toBe('backup');
    await a.instance.stop();
  });

  it('survives send errors: counted, logged once per period, and advertising goes on', async () => {
    const link = new FakeLink();
    const a = router(link, A, { priority: 150 });
    await a.instance.start();
    await vi.advanceTimersByTimeAsync(4_000);
    const channel = a.host.channel;
    if (!channel) throw new Error('no channel');
    channel.sendError = Object.assign(new Error('send: ENOBUFS'), { code: 'ENOBUFS' });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(a.instance.counters.sendErrors).toBe(5);
    expect(a.logs.events('vrrp-send-failed')).toHaveLength(1);
    channel.sendError = undefined;
    const before = a.instance.counters.advertisementsSent;
    await vi.advanceTimersByTimeAsync(3_000);
    expect(a.instance.counters.advertisementsSent).toBe(before + 3);
    expect(a.instance.state).toBe('master');
    await a.instance.stop();
  });

  it('refuses to start on a missing interface, or one without an address of its own', async () => {
    const link = new FakeLink();
    const missing = router(link, A, { interface: 'eth9', syncDaemon: undefined });
    await expect(missing.instance.start()).rejects.toThrow(/no interface eth9/);
    const bare = router(link, A);
    bare.host.addressList.splice(0);
    await expect(bare.instance.start()).rejects.toThrow(/eth0 has no IPv4 address of its own/);
    expect(bare.host.channel).toBeUndefined();
  });
});

/** RFC 1071 over a VRRPv2 message whose checksum field is 0. */
function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
