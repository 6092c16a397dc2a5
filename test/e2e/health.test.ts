// Health checks against the kernel with real HTTP servers: each real server is a node process in
// a namespace of its own network (behind a veth pair, masquerading), checked over HTTP from this
// file's namespace, the director. Killing, freezing and reviving those processes must move the
// weights that ipvsadm shows; quorum loss must bring in a sorry server that really answers on
// the VIP; rules changed with ipvsadm must be repaired. Everything is polled, never timed.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HealthChecker,
  Ipvs,
  validateHealthConfig,
  type CheckReport,
  type HealthLogRecord,
} from '../../lib/index.js';
import { addLan } from '../support/ipvs-test.js';
import { addNatRealServers } from '../support/net.js';
import { httpGet } from '../support/http.js';
import { sh } from '../support/sh.js';

const rsNetns = `ipvs-health-rs-${process.pid}`;
const VIP = '192.168.8.200';
const vip = { protocol: 'tcp', address: VIP, port: 80 } as const;
const REAL = ['10.8.0.2', '10.8.0.3', '10.8.0.4'];
const SORRY = '10.8.0.9';
const servers = new Map<string, ChildProcess>();
let ipvs: Ipvs;
let checker: HealthChecker;
const checks: CheckReport[] = [];
const logs: HealthLogRecord[] = [];
let baseline: { fds: number; resources: string[] };

/** An HTTP server on address:8080 in the real servers' namespace, answering with its name. */
async function startServer(address: string, name = address): Promise<void> {
  const script = `require('http').createServer((q, r) => r.end(${JSON.stringify(`${name}\n`)})).listen(8080, '${address}', () => console.log('listening'))`;
  const child = spawn('ip', ['netns', 'exec', rsNetns, process.execPath, '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  if (!line.toString().includes('listening'))
    throw new Error(`server ${address} said: ${line.toString()}`);
  servers.set(address, child);
}

async function killServer(address: string): Promise<void> {
  const child = servers.get(address);
  servers.delete(address);
  if (!child || child.exitCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

const execFileAsync = promisify(execFile);

/** ipvsadm -S -n, read without blocking this process's event loop (the checker runs in it). */
async function rules(): Promise<string[]> {
  const { stdout } = await execFileAsync('ipvsadm', ['-S', '-n']);
  return stdout.split('\n').filter((l) => l.length > 0);
}

/** Real server weights for the VIP as ipvsadm shows them; absent servers are undefined. */
async function weights(): Promise<Record<string, number | undefined>> {
  const lines = await rules();
  return Object.fromEntries(
    [...REAL, SORRY].map((address) => {
      const line = lines.find((l) => l.includes(`-t ${VIP}:80 -r ${address}:8080 `));
      const match = line ? / -w (\d+)/.exec(line) : null;
      return [address, match ? Number(match[1]) : undefined];
    }),
  );
}

async function weight(address: string): Promise<number | undefined> {
  return (await weights())[address];
}

async function until(
  what: string,
  done: () => boolean | Promise<boolean>,
  seconds = 30,
): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await done()) return Date.now() - start;
    if (Date.now() - start > seconds * 1000)
      throw new Error(`gave up waiting for ${what}: ${JSON.stringify(await weights())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// An Immediate runs on the next turn of the loop and cannot leak; one that happens to be queued
// when a snapshot is taken says nothing about the checker, so it is left out of the comparison.
const resources = (): { fds: number; resources: string[] } => ({
  fds: readdirSync('/proc/self/fd').length,
  resources: process
    .getActiveResourcesInfo()
    .filter((r) => r !== 'Immediate')
    .sort(),
});

beforeAll(async () => {
  addLan();
  addNatRealServers(rsNetns, [...REAL, SORRY]);
  for (const address of REAL) await startServer(address);
  await startServer(SORRY, 'sorry');

  ipvs = await Ipvs.open();
  const check = {
    type: 'http',
    path: '/',
    bodyMatch: '^10\\.8\\.0\\.\\d\\n$',
    interval: '200ms',
    timeout: '1s',
    retries: 1,
    retryDelay: '100ms',
  } as const;
  const config = validateHealthConfig({
    reconcileInterval: '500ms',
    services: [
      {
        ...vip,
        scheduler: 'rr',
        check,
        quorum: 2,
        sorryServer: { address: SORRY, port: 8080, forward: 'masq' },
        destinations: REAL.map((address) => ({
          address,
          port: 8080,
          forward: 'masq' as const,
          weight: 1,
        })),
      },
    ],
  });
  baseline = resources();
  checker = new HealthChecker(ipvs, config, { log: (r) => logs.push(r) });
  checker.on('check', (c) => checks.push(c));
  await checker.start();
});

afterAll(async () => {
  await checker.stop();
  ipvs.close();
  for (const address of [...servers.keys()]) await killServer(address);
  sh('ip', 'netns', 'del', rsNetns);
});

describe('health checks against the kernel', () => {
  it('creates the service with every server at its weight, and checks them healthy', async () => {
    expect(await weights()).toEqual({
      '10.8.0.2': 1,
      '10.8.0.3': 1,
      '10.8.0.4': 1,
      '10.8.0.9': undefined,
    });
    await until(
      'every server checked up',
      () => checker.status()[0]?.destinations.every((d) => d.health === 'up') ?? false,
    );
    expect(await rules()).toContain(`-A -t ${VIP}:80 -s rr`);
  });

  it('inhibits a killed server (weight 0) and restores its weight when it comes back', async () => {
    await killServer('10.8.0.2');
    const down = await until('weight 0', async () => (await weight('10.8.0.2')) === 0);
    expect(await weights()).toMatchObject({ '10.8.0.3': 1, '10.8.0.4': 1, '10.8.0.9': undefined });
    expect(checks.filter((c) => c.destination === '10.8.0.2:8080' && !c.ok).at(-1)?.detail).toMatch(
      /ECONNREFUSED/,
    );
    await startServer('10.8.0.2');
    const up = await until('weight back', async () => (await weight('10.8.0.2')) === 1);
    console.log(
      `health e2e: killed server inhibited after ${down} ms, revived one restored after ${up} ms (interval 200 ms, retries 1, retryDelay 100 ms)`,
    );
  });

  it('brings in the sorry server below quorum, which answers on the VIP, and takes it out when quorum returns', async () => {
    await killServer('10.8.0.2');
    await killServer('10.8.0.3');
    await until('sorry server in', async () => (await weight(SORRY)) === 1);
    await until('real servers inhibited', async () => {
      const w = await weights();
      return REAL.every((a) => w[a] === 0);
    });
    expect(await httpGet(`http://${VIP}/`)).toBe('sorry\n');
    expect(logs.some((r) => r.event === 'quorum-lost')).toBe(true);

    await startServer('10.8.0.3');
    await until('sorry server out', async () => (await weight(SORRY)) === undefined);
    expect(await weights()).toMatchObject({ '10.8.0.2': 0, '10.8.0.3': 1, '10.8.0.4': 1 });
    expect(await httpGet(`http://${VIP}/`)).toMatch(/^10\.8\.0\.[34]\n$/);
    await startServer('10.8.0.2');
    await until('all back', async () => {
      const w = await weights();
      return REAL.every((a) => w[a] === 1);
    });
  });

  it('repairs rules changed behind its back with ipvsadm', async () => {
    const logged = logs.length;
    sh('ipvsadm', '-e', '-t', `${VIP}:80`, '-r', '10.8.0.2:8080', '-m', '-w', '7');
    sh('ipvsadm', '-d', '-t', `${VIP}:80`, '-r', '10.8.0.3:8080');
    sh('ipvsadm', '-a', '-t', `${VIP}:80`, '-r', '10.8.0.77:8080', '-m', '-w', '3');
    sh('ipvsadm', '-E', '-t', `${VIP}:80`, '-s', 'wlc');
    await until('drift repaired', async () => {
      const [lines, w] = [await rules(), await weights()];
      return (
        w['10.8.0.2'] === 1 &&
        w['10.8.0.3'] === 1 &&
        !lines.some((l) => l.includes('10.8.0.77')) &&
        lines.includes(`-A -t ${VIP}:80 -s rr`)
      );
    });
    // Logged as drift-repaired when the periodic reconcile alone found them (as 'repair' when a
    // health change happened to share the sync).
    const repaired = logs
      .slice(logged)
      .filter((r) => r.event === 'drift-repaired' || r.event === 'repair');
    expect([...new Set(repaired.map((r) => r.op))].sort()).toEqual([
      'addDestination',
      'deleteDestination',
      'editDestination',
      'editService',
    ]);
    // And after the whole service is deleted.
    sh('ipvsadm', '-D', '-t', `${VIP}:80`);
    await until('service recreated', async () => {
      const w = await weights();
      return REAL.every((a) => w[a] === 1);
    });
  });

  it('times out a hanging server (frozen process, connections still accepted by the kernel)', async () => {
    const frozen = servers.get('10.8.0.4');
    frozen?.kill('SIGSTOP');
    try {
      await until('hanging server inhibited', async () => (await weight('10.8.0.4')) === 0);
      expect(checks.filter((c) => c.destination === '10.8.0.4:8080' && !c.ok).at(-1)?.detail).toBe(
        'timed out after 1000 ms',
      );
    } finally {
      frozen?.kill('SIGCONT');
    }
    await until('thawed server back', async () => (await weight('10.8.0.4')) === 1);
  });

  it('has run many check cycles and leaves no socket, timer or handle once stopped', async () => {
    await until('many cycles', () => checks.length >= 150, 60);
    await checker.stop();
    // Closed sockets are released on the next turns of the event loop: poll, then compare. A leak
    // is a descriptor more than at the baseline; fewer is the harness closing its own meanwhile
    // (seen once on 6.12: 27 against 30, with the same handles).
    const released = () => {
      const now = resources();
      return (
        now.fds <= baseline.fds &&
        JSON.stringify(now.resources) === JSON.stringify(baseline.resources)
      );
    };
    await until('resources back to the baseline', released, 10).catch(() => undefined);
    const after = resources();
    expect(after.resources).toEqual(baseline.resources);
    expect(after.fds).toBeLessThanOrEqual(baseline.fds);
    console.log(
      `health e2e: ${checks.length} check cycles, ${checks.reduce((n, c) => n + c.attempts, 0)} attempts, fds ${baseline.fds} before and after`,
    );
    // Stopping without flush leaves the table as it was.
    expect(await weights()).toEqual({
      '10.8.0.2': 1,
      '10.8.0.3': 1,
      '10.8.0.4': 1,
      '10.8.0.9': undefined,
    });
  });
});
