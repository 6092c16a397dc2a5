// Real connections through a NAT service: stats (64-bit counters and rates) and the connection
// table move, and agree with ipvsadm's view. This file's namespace is the director and the client
// (IPVS schedules locally generated connections too); the real server is an HTTP server in a
// namespace of its own behind a veth pair, with the director as its default gateway, reached by
// masquerading with port mapping (VIP port 80 to RIP port 8080).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ipvs, type Stats } from '../../lib/index.js';
import { addLan, addNatRealServers } from '../support/net.js';
import { httpGet } from '../support/http.js';
import { sh } from '../support/sh.js';

const vip = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;
const rip = { address: '10.8.0.2', port: 8080 };
const rsNetns = `ipvs-traffic-rs-${process.pid}`;
const REPLY = 'hello from the real server\n';
let ipvs: Ipvs;
let server: ChildProcess | undefined;

/** An HTTP server in the real server's namespace; resolves once it listens. */
async function startRealServer(): Promise<ChildProcess> {
  const script = `require('http').createServer((q, r) => r.end(${JSON.stringify(REPLY)})).listen(${rip.port}, '${rip.address}', () => console.log('listening'))`;
  const child = spawn('ip', ['netns', 'exec', rsNetns, process.execPath, '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  if (!line.toString().includes('listening'))
    throw new Error(`real server said: ${line.toString()}`);
  return child;
}

async function poll<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  seconds = 20,
): Promise<T> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** ipvsadm -Ln --stats --exact: Conns InPkts OutPkts InBytes OutBytes of the service line. */
function ipvsadmServiceStats(): bigint[] {
  const line = sh('ipvsadm', '-Ln', '--stats', '--exact')
    .split('\n')
    .find((l) => l.startsWith('TCP  192.168.8.200:80'));
  if (!line) throw new Error('service missing from ipvsadm --stats');
  return line
    .trim()
    .split(/\s+/)
    .slice(2)
    .map((n) => BigInt(n));
}

async function serviceStats(): Promise<Stats> {
  return (await ipvs.getService(vip)).stats;
}

beforeAll(async () => {
  addLan();
  addNatRealServers(rsNetns, [rip.address]);
  server = await startRealServer();
  ipvs = await Ipvs.open();
  await ipvs.addService({ ...vip, scheduler: 'rr' });
  await ipvs.addDestination(vip, { ...rip, forward: 'masq' });
});

afterAll(() => {
  ipvs.close();
  server?.kill();
  sh('ip', 'netns', 'del', rsNetns);
});

describe('traffic through a NAT service', () => {
  const REQUESTS = 8;

  it('reaches the real server through the VIP with port mapping', async () => {
    for (let i = 0; i < REQUESTS; i++) expect(await httpGet('http://192.168.8.200/')).toBe(REPLY);
  });

  it('counts the connections, packets and bytes as bigint, in both directions', async () => {
    const stats = await poll(serviceStats, (s) => s.conns >= BigInt(REQUESTS), 'conns');
    expect(typeof stats.conns).toBe('bigint');
    expect(stats.conns).toBe(BigInt(REQUESTS));
    expect(stats.inPkts).toBeGreaterThan(0n);
    expect(stats.outPkts).toBeGreaterThan(0n); // NAT: the replies come back through the director
    expect(stats.inBytes).toBeGreaterThan(0n);
    expect(stats.outBytes).toBeGreaterThan(0n);
    // The same counters through ipvsadm, read after ours (they only grow).
    const [conns, inPkts, outPkts, inBytes, outBytes] = ipvsadmServiceStats();
    expect(conns).toBe(stats.conns);
    expect(inPkts).toBeGreaterThanOrEqual(stats.inPkts);
    expect(outPkts).toBeGreaterThanOrEqual(stats.outPkts);
    expect(inBytes).toBeGreaterThanOrEqual(stats.inBytes);
    expect(outBytes).toBeGreaterThanOrEqual(stats.outBytes);
    const [dest] = await ipvs.listDestinations(vip);
    expect(dest?.stats.conns).toBe(BigInt(REQUESTS));
    expect(typeof dest?.inactiveConnections).toBe('number');
  });

  it('reports rates once the estimator has folded them in', async () => {
    // The kernel's estimator runs about every 2 s: keep traffic flowing while polling.
    const flow = { on: true };
    const traffic = (async () => {
      while (flow.on) await httpGet('http://192.168.8.200/');
    })();
    try {
      const stats = await poll(
        serviceStats,
        (s) => s.cps > 0n && s.inPps > 0n && s.inBps > 0n,
        'rates',
      );
      expect(stats.outPps).toBeGreaterThan(0n);
    } finally {
      flow.on = false;
      await traffic;
    }
  });

  it('lists the connections, as ipvsadm -Lnc does', async () => {
    const connections = await ipvs.listConnections();
    expect(connections.length).toBeGreaterThanOrEqual(REQUESTS);
    const listed = sh('ipvsadm', '-Lnc').trim().split('\n').slice(2);
    expect(listed.length).toBeGreaterThanOrEqual(REQUESTS);
    for (const c of connections) {
      expect(c).toMatchObject({
        protocol: 'tcp',
        virtual: { address: '192.168.8.200', port: 80 },
        destination: rip,
      });
      expect(c.client.address).toBe('192.168.8.10');
      expect(c.expires).toBeGreaterThanOrEqual(0);
      expect(c.state).toMatch(/^[A-Z_]+$/);
    }
  });

  it('sees no connections through a handle on another namespace', async () => {
    const name = `ipvs-traffic-${process.pid}`;
    sh('ip', 'netns', 'add', name);
    try {
      const other = await Ipvs.open({ netns: `/run/netns/${name}` });
      expect(await other.listConnections()).toEqual([]);
      other.close();
    } finally {
      sh('ip', 'netns', 'del', name);
    }
  });

  it('zeroes the counters of one service', async () => {
    // The kernel folds its per-CPU counters into the totals every 2 s (in a kthread since 6.2), and
    // zeroing takes the folded totals as the zero point: packets not yet folded would appear after
    // it. So zero once two readings 2.5 s apart agree.
    for (let i = 0, last = await serviceStats(); i < 20; i++) {
      await new Promise((r) => setTimeout(r, 2500));
      const now = await serviceStats();
      if (now.conns === last.conns && now.inPkts === last.inPkts && now.outPkts === last.outPkts)
        break;
      last = now;
    }
    await ipvs.zero(vip);
    const stats = await serviceStats();
    expect([stats.conns, stats.inPkts, stats.outPkts, stats.inBytes, stats.outBytes]).toEqual([
      0n,
      0n,
      0n,
      0n,
      0n,
    ]);
    expect(ipvsadmServiceStats()).toEqual([0n, 0n, 0n, 0n, 0n]);
  });
});
