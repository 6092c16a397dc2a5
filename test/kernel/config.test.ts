// Table-wide settings: info, timeouts, zeroing counters, flush, connection sync daemons. Each read
// back through the library and through ipvsadm.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ipvs } from '../../lib/index.js';
import type { Daemon, ServiceKey, Stats } from '../../lib/index.js';
import { addLan, ipvsErrorOf, saved, sleep } from '../support/ipvs-test.js';
import { sh } from '../support/sh.js';

let ipvs: Ipvs;

beforeAll(async () => {
  addLan();
  sh('ip', 'link', 'add', 'sync0', 'type', 'dummy');
  sh('ip', 'address', 'add', '10.9.9.1/24', 'dev', 'sync0');
  sh('ip', 'address', 'add', '2001:db8:9::1/64', 'dev', 'sync0', 'nodad');
  sh('ip', 'link', 'set', 'sync0', 'up');
  ipvs = await Ipvs.open();
});

afterAll(() => {
  ipvs.close();
});

describe('getInfo', () => {
  it('reports version 1.2.1 and the connection table size the kernel shows', async () => {
    const info = await ipvs.getInfo();
    expect(info.version).toBe('1.2.1');
    expect(info.versionCode).toBe(0x010201);
    const header = /^IP Virtual Server version 1\.2\.1 \(size=(\d+)\)/.exec(
      readFileSync('/proc/net/ip_vs', 'utf8'),
    );
    expect(header?.[1]).toBeDefined();
    expect(info.connectionTableSize).toBe(Number(header?.[1]));
    expect(sh('ipvsadm', '-Ln').split('\n')[0]).toBe(
      `IP Virtual Server version ${info.version} (size=${info.connectionTableSize})`,
    );
  });
});

describe('timeouts', () => {
  function ipvsadmTimeouts(): string {
    return sh('ipvsadm', '-L', '--timeout').trim();
  }

  it('reads the timeouts ipvsadm shows, sets them, and 0 or absent leaves a value unchanged', async () => {
    const initial = await ipvs.getTimeouts();
    expect(ipvsadmTimeouts()).toBe(
      `Timeout (tcp tcpfin udp): ${initial.tcp} ${initial.tcpFin} ${initial.udp}`,
    );
    await ipvs.setTimeouts({ tcp: 1000, tcpFin: 60, udp: 200 });
    expect(await ipvs.getTimeouts()).toEqual({ tcp: 1000, tcpFin: 60, udp: 200 });
    expect(ipvsadmTimeouts()).toBe('Timeout (tcp tcpfin udp): 1000 60 200');
    await ipvs.setTimeouts({ tcp: 0, tcpFin: 30 });
    expect(ipvsadmTimeouts()).toBe('Timeout (tcp tcpfin udp): 1000 30 200');
    await ipvs.setTimeouts({});
    await ipvs.setTimeouts({ tcp: 0, tcpFin: 0, udp: 0 });
    expect(await ipvs.getTimeouts()).toEqual({ tcp: 1000, tcpFin: 30, udp: 200 });
    sh('ipvsadm', '--set', '900', '120', '300');
    expect(await ipvs.getTimeouts()).toEqual({ tcp: 900, tcpFin: 120, udp: 300 });
  });
});

/** Sends a few UDP datagrams from this namespace to the service (IPVS schedules local clients). */
async function sendUdp(address: string, port: number, count: number): Promise<void> {
  const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  try {
    for (let i = 0; i < count; i++) {
      await new Promise<void>((resolve, reject) => {
        socket.send(Buffer.from(`ping ${i}`), port, address, (error) => {
          if (error) reject(error);
          else resolve();
        });
      });
    }
  } finally {
    socket.close();
  }
}

/** Service counters as ipvsadm -Ln --stats --exact shows them: conns inpkts outpkts inbytes outbytes. */
function ipvsadmStats(proto: string, endpoint: string): bigint[] {
  const line = sh('ipvsadm', '-Ln', '--stats', '--exact', proto, endpoint)
    .split('\n')
    .find((l) => l.startsWith('UDP') || l.startsWith('TCP'));
  return (line ?? '').trim().split(/\s+/).slice(2).map(BigInt);
}

function counters(stats: Stats): bigint[] {
  return [stats.conns, stats.inPkts, stats.outPkts, stats.inBytes, stats.outBytes];
}

async function statsWhenCounted(key: ServiceKey): Promise<Stats> {
  // The kernel's estimator folds the per-CPU counters in about every 2 s: poll.
  for (let i = 0; i < 40; i++) {
    const { stats } = await ipvs.getService(key);
    if (stats.inPkts > 0n) return stats;
    await sleep(250);
  }
  throw new Error('no packets were counted within 10 s');
}

describe('zero and flush', () => {
  const a = { protocol: 'udp', address: '192.168.8.200', port: 53 } as const;
  const b = { protocol: 'udp', address: '192.168.8.200', port: 54 } as const;

  it('zeroes one service, then all (ipvsadm --stats agrees)', async () => {
    sh('ipvsadm', '-C');
    for (const key of [a, b]) {
      await ipvs.addService({ ...key, scheduler: 'rr' });
      await ipvs.addDestination(key, { address: '192.168.8.20', forward: 'masq' });
      await sendUdp(key.address, key.port, 3);
    }
    const before = await statsWhenCounted(a);
    expect(before.conns).toBeGreaterThan(0n);
    await statsWhenCounted(b);
    expect(ipvsadmStats('-u', '192.168.8.200:53')).toEqual(
      counters((await ipvs.getService(a)).stats),
    );

    await ipvs.zero(a);
    expect(counters((await ipvs.getService(a)).stats)).toEqual([0n, 0n, 0n, 0n, 0n]);
    expect(ipvsadmStats('-u', '192.168.8.200:53')).toEqual([0n, 0n, 0n, 0n, 0n]);
    expect((await ipvs.getService(b)).stats.inPkts).toBeGreaterThan(0n);
    expect(ipvsadmStats('-u', '192.168.8.200:54')[1]).toBeGreaterThan(0n);

    await ipvs.zero();
    for (const service of await ipvs.listServices({ destinations: true })) {
      expect(counters(service.stats)).toEqual([0n, 0n, 0n, 0n, 0n]);
      for (const dest of service.destinations ?? [])
        expect(counters(dest.stats)).toEqual([0n, 0n, 0n, 0n, 0n]);
    }
    expect(ipvsadmStats('-u', '192.168.8.200:54')).toEqual([0n, 0n, 0n, 0n, 0n]);
  });

  it('flush deletes every service and destination', async () => {
    await ipvs.addService({ protocol: 'tcp', address: '192.168.8.200', port: 80, scheduler: 'rr' });
    await ipvs.addDestination(
      { protocol: 'tcp', address: '192.168.8.200', port: 80 },
      { address: '192.168.8.20' },
    );
    await ipvs.addService({ fwmark: 9, family: 'ipv6', scheduler: 'rr' });
    expect(saved().length).toBeGreaterThan(2);
    await ipvs.flush();
    expect(await ipvs.listServices()).toEqual([]);
    expect(saved()).toEqual([]);
  });
});

describe('connections', () => {
  it('lists the connection table as ipvsadm -Lnc does, IPv4 and IPv6', async () => {
    sh('ipvsadm', '-C');
    const v4 = { protocol: 'udp', address: '192.168.8.200', port: 53 } as const;
    const v6 = { protocol: 'udp', address: '2001:db8:8::200', port: 53 } as const;
    await ipvs.addService({ ...v4, scheduler: 'rr' });
    await ipvs.addDestination(v4, { address: '192.168.8.20', port: 5353, forward: 'masq' });
    await ipvs.addService({ ...v6, scheduler: 'rr' });
    await ipvs.addDestination(v6, { address: '2001:db8:8::20', forward: 'masq' });
    await sendUdp(v4.address, 53, 1);
    await sendUdp(v6.address, 53, 1);
    const connections = await ipvs.listConnections();
    const endpoint = (e: { address: string; port: number }) =>
      e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
    const mine = connections.map(
      (c) =>
        `${c.protocol.toUpperCase()} ${c.state} ${endpoint(c.client)} ${endpoint(c.virtual)} ${endpoint(c.destination)}`,
    );
    const theirs = sh('ipvsadm', '-Lnc')
      .split('\n')
      .slice(2)
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const [pro, , state, source, virtual, destination] = l.trim().split(/\s+/);
        return `${pro ?? ''} ${state ?? ''} ${source ?? ''} ${virtual ?? ''} ${destination ?? ''}`;
      });
    expect(mine.sort()).toEqual(theirs.sort());
    expect(connections).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          protocol: 'udp',
          virtual: { address: '192.168.8.200', port: 53 },
          destination: { address: '192.168.8.20', port: 5353 },
          state: 'UDP',
        }),
        expect.objectContaining({
          protocol: 'udp',
          virtual: { address: '2001:db8:8::200', port: 53 },
          destination: { address: '2001:db8:8::20', port: 53 },
          state: 'UDP',
        }),
      ]),
    );
    for (const c of connections) expect(c.expires).toBeGreaterThan(0);
    sh('ipvsadm', '-C');
  });
});

describe('connection sync daemons', () => {
  function ipvsadmDaemons(): string[] {
    return sh('ipvsadm', '-L', '--daemon')
      .split('\n')
      .filter((l) => l.length > 0)
      .sort();
  }

  function asIpvsadm(d: Daemon): string {
    return `${d.state} sync daemon (mcast=${d.interface}, syncid=${d.syncId}, maxlen=${d.maxLength}, group=${d.group ?? '?'}, port=${d.port}, ttl=${d.ttl})`;
  }

  it('starts a master on lo, lists it as ipvsadm does, and stops it', async () => {
    await ipvs.startDaemon({ state: 'master', interface: 'lo', syncId: 5 });
    const daemons = await ipvs.listDaemons();
    expect(daemons).toHaveLength(1);
    expect(daemons[0]).toMatchObject({
      state: 'master',
      interface: 'lo',
      syncId: 5,
      group: '224.0.0.81',
      port: 8848,
      ttl: 1,
    });
    expect(daemons.map(asIpvsadm)).toEqual(ipvsadmDaemons());
    await ipvs.stopDaemon('master');
    expect(await ipvs.listDaemons()).toEqual([]);
    expect(ipvsadmDaemons()).toEqual([]);
  });

  it('starts a backup with group, port, ttl and maxLength beside a master', async () => {
    await ipvs.startDaemon({
      state: 'backup',
      interface: 'sync0',
      syncId: 6,
      maxLength: 1400,
      group: '224.0.0.82',
      port: 8849,
      ttl: 2,
    });
    await ipvs.startDaemon({ state: 'master', interface: 'sync0', group: 'ff02::81', port: 8850 });
    const daemons = await ipvs.listDaemons();
    expect(daemons).toEqual(
      expect.arrayContaining([
        {
          state: 'backup',
          interface: 'sync0',
          syncId: 6,
          maxLength: 1400,
          group: '224.0.0.82',
          port: 8849,
          ttl: 2,
        },
        expect.objectContaining({
          state: 'master',
          interface: 'sync0',
          syncId: 0,
          group: 'ff02::81',
          port: 8850,
          ttl: 1,
        }),
      ]),
    );
    expect(daemons.map(asIpvsadm).sort()).toEqual(ipvsadmDaemons());
    const twice = await ipvsErrorOf(() =>
      ipvs.startDaemon({ state: 'backup', interface: 'sync0' }),
    );
    expect(twice.code).toBe('EEXIST');
    await ipvs.stopDaemon('backup');
    await ipvs.stopDaemon('master');
    expect(await ipvs.listDaemons()).toEqual([]);
    const none = await ipvsErrorOf(() => ipvs.stopDaemon('backup'));
    expect(none.code).toBe('ESRCH');
    expect(none.op).toBe('stopDaemon');
  });
});
