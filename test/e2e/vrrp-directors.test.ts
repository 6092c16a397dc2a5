// Two `ipvs serve` directors in front of the seed's DR setup (VIP 192.168.8.200, real servers
// .20 and .30, the client at .100, this file's namespace), electing over VRRP on one bridge:
// d1 (priority 150, DIP .10) becomes master and holds the VIP, d2 (100, .11) stays backup. Then,
// on the one topology: a tracked service losing quorum hands mastership over and back; SIGTERM of
// the master hands over at once (priority 0), the client's ARP entry follows the gratuitous ARPs
// and a long-lived TCP connection survives thanks to the sync daemons; without them (the control)
// the same kind of connection is reset by the new master.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareRealServer } from '../../lib/index.js';
import { ipvsCommand, REPO } from '../support/ipvs-cli.js';
import { get, netnsPath, Topology } from '../support/topology.js';
import { longLivedConnection, type LongLived } from '../support/long-lived.js';
import { sh } from '../support/sh.js';

const VIP = '192.168.8.200';
const url = `http://${VIP}/`;
const TRACKED = `tcp ${VIP}:8080`;
const net = new Topology('vrrp');
let dir: string;
let rs1: string;
let tracked: ChildProcess;
const ns: Record<'d1' | 'd2', string> = { d1: '', d2: '' };
const mac: Record<'d1' | 'd2', string> = { d1: '', d2: '' };
const children: ChildProcess[] = [];

interface Director {
  name: 'd1' | 'd2';
  process: ChildProcess;
  logs: Array<Record<string, unknown>>;
}
const running: Partial<Record<'d1' | 'd2', Director>> = {};

/** The director's config: the seed's DR service, an echo service, a tracked one, VRRP. */
function config(name: 'd1' | 'd2', sync: boolean): string {
  const service = (port: number, servers: string[], extra = '') =>
    `  - protocol: tcp
    address: ${VIP}
    port: ${port}
    scheduler: rr
${extra}    destinations:
${servers.map((a) => `      - { address: ${a}, port: ${port}, forward: dr }`).join('\n')}
`;
  const check =
    '    quorum: 1\n    check: { type: tcp, interval: 300ms, timeout: 1s, retries: 0 }\n';
  return `reconcileInterval: 0s
services:
${service(80, ['192.168.8.20', '192.168.8.30'])}${service(9000, ['192.168.8.20'])}${service(8080, ['192.168.8.20'], check)}vrrp:
  - name: VI_1
    interface: eth0
    virtualRouterId: 51
    priority: ${name === 'd1' ? 150 : 100}
    advertisementInterval: 1s
    version: 2
    virtualAddresses: [${VIP}/24]
${sync ? '    syncDaemon: { interface: eth0, syncId: 51 }\n' : ''}${
    name === 'd1' ? `    trackServices: [{ service: "${TRACKED}", weight: -100 }]\n` : ''
  }`;
}

function configFile(name: 'd1' | 'd2', sync: boolean): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, config(name, sync));
  return file;
}

async function until(what: string, done: () => boolean, seconds = 60): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > seconds * 1000)
      throw new Error(
        `gave up waiting for ${what}: ${JSON.stringify({ d1: running.d1?.logs, d2: running.d2?.logs })}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The last vrrp-state a director logged, 'none' before any. */
function state(name: 'd1' | 'd2'): string {
  const last = running[name]?.logs.filter((r) => r.event === 'vrrp-state').at(-1);
  const value = last?.state;
  return typeof value === 'string' ? value : 'none';
}

/** When a director logged `state` (after log index `from`), in ms since the epoch. */
function loggedAt(name: 'd1' | 'd2', event: string, from = 0, fields: object = {}): number {
  const record = running[name]?.logs
    .slice(from)
    .find((r) => r.event === event && Object.entries(fields).every(([k, v]) => r[k] === v));
  return record ? Date.parse(String(record.time)) : NaN;
}

async function startDirector(name: 'd1' | 'd2', sync: boolean): Promise<Director> {
  const [node = '', ...args] = ipvsCommand('serve', configFile(name, sync), '--netns', ns[name]);
  const child = spawn(node, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const director: Director = { name, process: child, logs: [] };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) =>
    director.logs.push(JSON.parse(line) as Record<string, unknown>),
  );
  running[name] = director;
  // Under TCG, a serve process takes seconds (more on a loaded machine) before its first line.
  await until(`${name} in the election`, () => state(name) !== 'none', 240);
  return director;
}

async function stopDirector(name: 'd1' | 'd2'): Promise<number | null> {
  const child = running[name]?.process;
  if (!child || child.exitCode !== null) return child?.exitCode ?? null;
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

/** The virtual address on a director's eth0, as `ip addr` shows it ('' when absent). */
function vipLine(name: 'd1' | 'd2'): string {
  return net
    .exec(ns[name], 'ip', '-4', '-o', 'address', 'show', 'dev', 'eth0')
    .split('\n')
    .filter((line) => line.includes(`${VIP}/`))
    .join('\n');
}

/** The MAC the client's neighbour cache has for the VIP ('' when none). */
function clientMac(): string {
  return /lladdr ([0-9a-f:]{17})/.exec(sh('ip', 'neigh', 'show', VIP))?.[1] ?? '';
}

/** An echo server (TCP) in a real server's namespace: what a long-lived connection talks to. */
async function echoServer(rs: string, port: number): Promise<ChildProcess> {
  const script = `require('net').createServer((s) => s.on('error', () => {}).pipe(s)).listen(${port}, '::', () => console.log('listening'))`;
  const child = spawn('ip', ['netns', 'exec', rs, process.execPath, '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await once(child.stdout as NodeJS.ReadableStream, 'data');
  return child;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ipvs-vrrp-e2e-'));
  const lan = net.bridge('br-lan', ['192.168.8.100/24']);
  ns.d1 = net.host('d1', [{ ifname: 'eth0', bridge: lan, addresses: ['192.168.8.10/24'] }]);
  ns.d2 = net.host('d2', [{ ifname: 'eth0', bridge: lan, addresses: ['192.168.8.11/24'] }]);
  rs1 = net.host('rs1', [{ ifname: 'eth0', bridge: lan, addresses: ['192.168.8.20/24'] }]);
  const rs2 = net.host('rs2', [{ ifname: 'eth0', bridge: lan, addresses: ['192.168.8.30/24'] }]);
  for (const rs of [rs1, rs2])
    await prepareRealServer({ vip: VIP, mode: 'dr', netns: netnsPath(rs) });
  await Promise.all([net.httpServer(rs1, 'rs1'), net.httpServer(rs2, 'rs2')]);
  await echoServer(rs1, 9000);
  tracked = await echoServer(rs1, 8080);
  for (const name of ['d1', 'd2'] as const)
    mac[name] =
      /link\/ether ([0-9a-f:]{17})/.exec(net.exec(ns[name], 'ip', 'link', 'show', 'eth0'))?.[1] ??
      '';
  await Promise.all([startDirector('d1', true), startDirector('d2', true)]);
}, 300_000);

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  net.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** The client's long-lived connection to VIP:9000 (the echo servers behind both directors). */
function clientConnection(): Promise<LongLived> {
  return longLivedConnection({
    host: VIP,
    port: 9000,
    localAddress: '192.168.8.100',
    timeoutMs: 10_000,
  });
}

describe('two ipvs serve directors over VRRP', () => {
  it('elect the higher priority, which holds the VIP (eth0:vip); the client reaches it', async () => {
    // d2 may have started first and been master alone until d1 preempted it: wait for both.
    await until('d1 master, d2 backup', () => state('d1') === 'master' && state('d2') === 'backup');
    expect(vipLine('d1')).toMatch(new RegExp(`inet ${VIP}/24 .*eth0:vip`));
    expect(vipLine('d2')).toBe('');
    expect(['rs1', 'rs2']).toContain(await get(url, '192.168.8.100'));
    expect(clientMac()).toBe(mac.d1);
    expect(
      running.d1?.logs.find((r) => r.event === 'vrrp-state' && r.state === 'master'),
    ).toMatchObject({
      level: 'info',
      instance: 'VI_1',
      from: 'backup',
      reason: 'master-down',
    });
  });

  it('hands mastership over while a tracked service has lost quorum, and takes it back', async () => {
    const d1 = running.d1;
    if (!d1) throw new Error('no d1');
    const from = d1.logs.length;
    const d2From = running.d2?.logs.length ?? 0;
    const killedAt = Date.now();
    tracked.kill(); // `ip netns exec` execs node: the same process
    await until('d1 lowered', () => d1.logs.slice(from).some((r) => r.event === 'vrrp-priority'));
    expect(d1.logs.slice(from).find((r) => r.event === 'vrrp-priority')).toMatchObject({
      priority: 50,
      from: 150,
      lost: [TRACKED],
    });
    await until('d2 master', () => state('d2') === 'master' && state('d1') === 'backup');
    const handover = loggedAt('d2', 'vrrp-state', d2From, { state: 'master' }) - killedAt;
    console.log(`handover after the tracked service's server died: ${handover} ms`);
    expect(vipLine('d1')).toBe('');
    expect(vipLine('d2')).not.toBe('');
    tracked = await echoServer(rs1, 8080);
    await until('d1 master again', () => state('d1') === 'master' && state('d2') === 'backup');
    expect(vipLine('d2')).toBe('');
  });

  it('SIGTERM of the master hands over at once; the ARP entry and a connection (sync) follow', async () => {
    const connection = await clientConnection();
    expect(await connection.ask('before')).toBe('before');
    // The master daemon sends the connection on ESTABLISHED and flushes its buffer every 2 s.
    await new Promise((r) => setTimeout(r, 3000));
    expect(clientMac()).toBe(mac.d1);
    const d2From = running.d2?.logs.length ?? 0;
    const stoppedAt = Date.now();
    expect(await stopDirector('d1')).toBe(0);
    await until('d2 master', () => state('d2') === 'master');
    const takeover = loggedAt('d2', 'vrrp-state', d2From, { state: 'master' }) - stoppedAt;
    // Priority 0: the backup waits one skew time ((256 - 100) / 256 s), not 3 intervals.
    console.log(`takeover after SIGTERM: ${takeover} ms (skew time 609 ms)`);
    expect(running.d2?.logs.slice(d2From).find((r) => r.event === 'vrrp-state')).toMatchObject({
      state: 'master',
      from: 'backup',
      reason: 'master-down',
    });
    // Not a performance bound: without the priority-0 advertisement d2 would wait for its
    // master-down interval, 3 x 1 s + 609 ms after d1's last advertisement.
    expect(takeover).toBeLessThan(3609);
    expect(vipLine('d1')).toBe('');
    expect(vipLine('d2')).not.toBe('');
    await until('client ARP entry on d2', () => clientMac() === mac.d2, 10);
    expect(await connection.ask('after')).toBe('after');
    expect(['rs1', 'rs2']).toContain(await get(url, '192.168.8.100'));
    connection.socket.destroy();
  });

  it('without sync daemons (the control) the new master resets the long-lived connection', async () => {
    const d2 = running.d2;
    if (!d2) throw new Error('no d2');
    const from = d2.logs.length;
    configFile('d2', false);
    d2.process.kill('SIGHUP');
    await until('d2 restarted', () =>
      d2.logs.slice(from).some((r) => r.event === 'vrrp-restarted'),
    );
    await until('d2 master again', () => state('d2') === 'master', 30);
    const connection = await clientConnection();
    expect(await connection.ask('before')).toBe('before');
    await startDirector('d1', false);
    await until(
      'd1 master (preempted)',
      () => state('d1') === 'master' && state('d2') === 'backup',
    );
    await until('client ARP entry on d1', () => clientMac() === mac.d1, 10);
    await expect(connection.ask('after')).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(['rs1', 'rs2']).toContain(await get(url, '192.168.8.100'));
    expect(await stopDirector('d1')).toBe(0);
    expect(await stopDirector('d2')).toBe(0);
    expect(vipLine('d1')).toBe('');
    expect(vipLine('d2')).toBe('');
  });
});
