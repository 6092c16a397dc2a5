// drain() with real connections: a held-open TCP connection through a NAT service keeps the real
// server (weight 0 at once) until the connection ends, then it is deleted; with the connection
// still open the timeout path ends the wait (and deletes, or keeps with weight 0).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run as drainCli } from '../../lib/cli/commands/drain.js';
import { main } from '../../lib/cli/main.js';
import { Ipvs, drain } from '../../lib/index.js';
import { addLan, addNatRealServers } from '../support/net.js';
import { sh } from '../support/sh.js';

const vip = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;
const rip = { address: '10.8.0.2', port: 8080 };
// A service of its own for the CLI test: connection entries that earlier tests left behind (reset,
// then counted until they expire) belong to the destinations of the other services.
const cliVip = { protocol: 'tcp', address: '192.168.8.200', port: 82 } as const;
const rsNetns = `ipvs-drain-rs-${process.pid}`;
let ipvs: Ipvs;
let server: ChildProcess | undefined;

async function startRealServer(): Promise<ChildProcess> {
  // A TCP server that keeps every connection open until the client ends it.
  const script = `require('net').createServer((s) => { s.on('error', () => {}); s.write('hi\\n'); }).listen(${rip.port}, '${rip.address}', () => console.log('listening'))`;
  const child = spawn('ip', ['netns', 'exec', rsNetns, process.execPath, '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  if (!line.toString().includes('listening'))
    throw new Error(`real server said: ${line.toString()}`);
  return child;
}

async function openConnection(port: number = vip.port): Promise<Socket> {
  const socket = connect(port, vip.address);
  await once(socket, 'data');
  return socket;
}

beforeAll(async () => {
  addLan();
  addNatRealServers(rsNetns, [rip.address]);
  server = await startRealServer();
  ipvs = await Ipvs.open();
});

afterAll(() => {
  server?.kill();
  ipvs.close();
  sh('ip', 'netns', 'delete', rsNetns);
});

async function addService(service: typeof vip | typeof cliVip = vip): Promise<void> {
  await ipvs.flush();
  await ipvs.addService({ ...service, scheduler: 'rr' });
  await ipvs.addDestination(service, { ...rip, forward: 'masq', weight: 5 });
}

it('sets weight 0, waits while a connection is open, deletes once it has ended', async () => {
  await addService();
  const socket = await openConnection();
  const seen: Array<{ active: number; weight: number | undefined }> = [];
  let closed = false;
  const result = await drain(ipvs, vip, rip, {
    timeoutSeconds: 90,
    pollSeconds: 0.5,
    onProgress: (s) => {
      seen.push({ active: s.activeConnections, weight: undefined });
      // Once the drain has seen the open connection, end it with a reset (no TIME_WAIT to sit out).
      if (!closed && s.activeConnections === 1) {
        closed = true;
        socket.resetAndDestroy();
      }
    },
  });
  expect(seen[0]?.active).toBe(1);
  expect(result).toMatchObject({
    outcome: 'drained',
    deleted: true,
    activeConnections: 0,
    inactiveConnections: 0,
  });
  expect(await ipvs.listDestinations(vip)).toEqual([]);
});

it('weight 0 takes effect at once: the destination stays listed with weight 0 while draining', async () => {
  await addService();
  const socket = await openConnection();
  const weights: number[] = [];
  const result = await drain(ipvs, vip, rip, {
    timeoutSeconds: 2,
    pollSeconds: 0.5,
    deleteOnTimeout: false,
    onProgress: () => {
      void ipvs.listDestinations(vip).then((d) => weights.push(d[0]?.weight ?? -1));
    },
  });
  expect(result).toMatchObject({ outcome: 'timeout', deleted: false, activeConnections: 1 });
  const [dest] = await ipvs.listDestinations(vip);
  expect(dest).toMatchObject({
    address: rip.address,
    port: rip.port,
    weight: 0,
    activeConnections: 1,
  });
  expect(weights.every((w) => w === 0)).toBe(true);
  socket.resetAndDestroy();
});

it('on timeout with connections left, deletes by default', async () => {
  await addService();
  const socket = await openConnection();
  const result = await drain(ipvs, vip, rip, { timeoutSeconds: 1, pollSeconds: 0.5 });
  expect(result).toMatchObject({ outcome: 'timeout', deleted: true, activeConnections: 1 });
  expect(await ipvs.listDestinations(vip)).toEqual([]);
  socket.resetAndDestroy();
});

/** A connection line's expiry ("14:59" in "TCP 14:59  ESTABLISHED ..."), in seconds. */
const expiry = (line: string): number => {
  const [minutes = '', seconds = ''] = (line.split(/\s+/)[1] ?? '').split(':');
  return Number(minutes) * 60 + Number(seconds);
};
/** The listing with every expiry masked (its column keeps its width). */
const masked = (text: string): string => text.replace(/^(\S+ +)\d\d:\d\d/gm, '$1mm:ss');

/**
 * ipvsadm's output, as long as two reads around ours agree (counters and timers move). A
 * connection's expiry counts down every second, and under TCG three reads often straddle a tick:
 * then the listing must match with the expiries masked, and each of ours must lie between
 * ipvsadm's two readings of it.
 */
async function sameAsIpvsadm(args: readonly string[]): Promise<void> {
  const ipvsadmOut = (): string => sh('ipvsadm', ...args);
  const connections = args.some((a) => /^-[A-Za-z]*c[A-Za-z]*$/.test(a));
  for (let attempt = 0; attempt < 20; attempt++) {
    const before = ipvsadmOut();
    let ours = '';
    const code = await main(
      args,
      { out: (t) => (ours += t), err: (t) => (ours += t) },
      { program: 'ipvsadm' },
    );
    const after = ipvsadmOut();
    if (before === after) {
      expect({ args, code, ours }).toEqual({ args, code: 0, ours: before });
      return;
    }
    if (!connections || masked(before) !== masked(after)) continue;
    expect({ args, code, ours: masked(ours) }).toEqual({ args, code: 0, ours: masked(before) });
    const [b, o, a] = [before, ours, after].map((t) =>
      t.split('\n').filter((line) => /^\S+ +\d\d:\d\d/.test(line)),
    );
    o?.forEach((line, i) => {
      expect(expiry(line)).toBeLessThanOrEqual(expiry(b?.[i] ?? ''));
      expect(expiry(line)).toBeGreaterThanOrEqual(expiry(a?.[i] ?? ''));
    });
    return;
  }
  throw new Error(`ipvsadm ${args.join(' ')} never read the same twice in a row`);
}

it('listings with live connections and counters are byte-identical to ipvsadm', async () => {
  await addService();
  await ipvs.addService({
    protocol: 'tcp',
    address: vip.address,
    port: 81,
    scheduler: 'rr',
    persistence: 300,
  });
  await ipvs.addDestination(
    { protocol: 'tcp', address: vip.address, port: 81 },
    { ...rip, forward: 'masq' },
  );
  const sockets = [await openConnection(), await openConnection(), await openConnection()];
  const persistent = connect(81, vip.address);
  await once(persistent, 'data');
  // Wait until the estimator has folded the traffic in, so that counters and rates are not zero.
  for (let i = 0; i < 100 && (await ipvs.getService(vip)).stats.inBps === 0n; i++)
    await new Promise((r) => setTimeout(r, 200));
  // (-Lc with names is left out: its lookups outlast a second, so the expiry column never reads
  // the same twice; names are compared on a still table in test/kernel/cli-golden.test.ts.)
  try {
    for (const args of [
      ['-Lnc'],
      ['-Lnc', '--persistent-conn'],
      ['-Ln'],
      ['-L'],
      ['-Ln', '--stats'],
      ['-Ln', '--rate'],
      ['-Ln', '--stats', '--exact'],
      ['-Ln', '--rate', '--exact'],
      ['-Ln', '--thresholds'],
      ['-Ln', '--persistent-conn'],
      ['-Ln', '-t', `${vip.address}:${vip.port}`, '--stats'],
    ]) {
      await sameAsIpvsadm(args);
    }
  } finally {
    for (const s of [...sockets, persistent]) s.resetAndDestroy();
  }
});

it('ipvs drain: exit 0 once idle, exit 1 on timeout (deleted), exit 2 for a destination it does not have', async () => {
  const args = ['-t', `${cliVip.address}:${cliVip.port}`, '-r', `${rip.address}:${rip.port}`];
  await addService(cliVip);
  expect(await drainCli([...args, '--timeout', '60'])).toBe(0);
  expect(await ipvs.listDestinations(cliVip)).toEqual([]);
  await ipvs.addDestination(cliVip, { ...rip, forward: 'masq', weight: 5 });
  const socket = await openConnection(cliVip.port);
  expect(await drainCli([...args, '--timeout', '1'])).toBe(1);
  expect(await ipvs.listDestinations(cliVip)).toEqual([]);
  socket.resetAndDestroy();
  expect(await drainCli([...args, '--timeout', '1'])).toBe(2);
});
