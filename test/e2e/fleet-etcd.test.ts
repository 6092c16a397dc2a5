// Three `ipvs serve --etcd` directors sharing their services through a real etcd (Debian's 3.4),
// each in a namespace of its own on one bridge with etcd's: what `ipvs fleet push` writes reaches
// every kernel table; a change is applied as the minimal diff (the repairs each director logs);
// a push that does not validate writes nothing, and a bad value written behind push's back is
// refused by every director, tables untouched; losing etcd (killed, restarted on its data dir)
// keeps the tables and the checks, and a push after it arrives; a killed director's lease-bound
// status entry disappears. Figures (push to all three tables, reconnection, entry expiry) are
// printed, not asserted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectorStatus } from '../../lib/fleet/director-status.js';
import type { ReplaceResult } from '../../lib/fleet/desired-state-store.js';
import { EtcdStore } from '../../lib/fleet/etcd-store.js';
import { encodePushFile, servicesPrefix } from '../../lib/fleet/shared-services.js';
import { EtcdServer } from '../support/etcd.js';
import { ipvsCommand, REPO } from '../support/ipvs-cli.js';
import { saved } from '../support/ipvs-test.js';
import { ServeProcess, type LogRecord } from '../support/ipvs-serve.js';
import { poll, Topology } from '../support/topology.js';

const PREFIX = '/lab/fleet';
const TTL = 3;
const VIP = '192.168.8.200';
const NAMES = ['d1', 'd2', 'd3'] as const;
type Name = (typeof NAMES)[number];

const net = new Topology('fleet');
let dir: string;
let etcd: EtcdServer;
let store: EtcdStore | undefined;
const ns = {} as Record<Name, string>;
const serve = {} as Record<Name, ServeProcess>;

/** A push file: a `services` list (YAML). */
function services(...entries: string[]): string {
  return `services:\n${entries.join('')}`;
}
const service = (proto: string, port: number, dests: string): string =>
  `  - { protocol: ${proto}, address: ${VIP}, port: ${port}, scheduler: rr, destinations: [${dests}] }\n`;
// The web service's .20 is checked (its HTTP server answers) every 500 ms: checks that must keep
// running while etcd is away. The other real servers have no check (always healthy).
const CHECKED =
  '{ address: 192.168.8.20, port: 80, check: { type: tcp, interval: 500ms, timeout: 1s, retries: 0 } }';
const web = (weight: number): string =>
  service('tcp', 80, `${CHECKED}, { address: 192.168.8.30, port: 80, weight: ${weight} }`);
const V1 = services(
  web(1),
  service('tcp', 443, '{ address: 192.168.8.20, port: 443 }'),
  service('udp', 53, '{ address: 192.168.8.20, port: 53 }'),
);
// Weight of .30 to 5, a new real server for 443, the udp service removed.
const TLS2 = service(
  'tcp',
  443,
  '{ address: 192.168.8.20, port: 443 }, { address: 192.168.8.40, port: 443 }',
);
const V2 = services(web(5), TLS2);
const V3 = services(web(2), TLS2);

/** `ipvs fleet ARGS --etcd URL --prefix PREFIX`, from the test's namespace. */
function fleet(...args: string[]): { code: number; stdout: string; stderr: string } {
  const [node = '', ...rest] = ipvsCommand(
    'fleet',
    ...args,
    '--etcd',
    etcd.url,
    '--prefix',
    PREFIX,
  );
  const result = spawnSync(node, rest, { cwd: REPO, encoding: 'utf8', timeout: 180_000 });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** `ipvs fleet push FILE`: a process of its own (tens of seconds to start under TCG). */
function push(name: string, text: string): { code: number; stdout: string; stderr: string } {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return fleet('push', file);
}

/**
 * What `ipvs fleet push` does, in this process: validate, then one transaction. The later pushes
 * go this way, so that the figures are the fleet's and not a process start's.
 */
async function pushHere(text: string): Promise<ReplaceResult> {
  store ??= new EtcdStore([etcd.url]);
  return store.replacePrefix(servicesPrefix(PREFIX), encodePushFile(text, 'push.yaml', PREFIX));
}

/** The directors' status entries, by name. */
function statuses(): Map<string, DirectorStatus> {
  const entries = etcd.read(`${PREFIX}/directors/`);
  return new Map(
    [...entries.values()].map((v) => JSON.parse(v) as DirectorStatus).map((s) => [s.name, s]),
  );
}

/** The kernel tables of the three directors. */
const tables = (): Record<Name, string[]> =>
  Object.fromEntries(NAMES.map((name) => [name, saved(ns[name])])) as Record<Name, string[]>;

/** Waits until every director's table is `want`; the time it took, in ms. */
async function allTables(want: string[], seconds = 120): Promise<number> {
  const start = Date.now();
  for (;;) {
    const now = tables();
    if (NAMES.every((name) => JSON.stringify(now[name]) === JSON.stringify(want)))
      return Date.now() - start;
    if (Date.now() - start > seconds * 1000)
      throw new Error(`tables not ${JSON.stringify(want)} in ${seconds} s: ${JSON.stringify(now)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const logged = (name: Name, event: string, after = 0): LogRecord[] =>
  serve[name].log.slice(after).filter((r) => r.event === event);

/** The tables `push` should give, as ipvsadm -S -n writes them (d1 also has its local service). */
function expected(version: 1 | 2 | 3): string[] {
  const lines = [
    `-A -t ${VIP}:80 -s rr`,
    `-a -t ${VIP}:80 -r 192.168.8.20:80 -g -w 1`,
    `-a -t ${VIP}:80 -r 192.168.8.30:80 -g -w ${{ 1: 1, 2: 5, 3: 2 }[version]}`,
    `-A -t ${VIP}:443 -s rr`,
    `-a -t ${VIP}:443 -r 192.168.8.20:443 -g -w 1`,
    ...(version === 1
      ? [`-A -u ${VIP}:53 -s rr`, `-a -u ${VIP}:53 -r 192.168.8.20:53 -g -w 1`]
      : [`-a -t ${VIP}:443 -r 192.168.8.40:443 -g -w 1`]),
  ];
  return lines.sort();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ipvs-fleet-e2e-'));
  const lan = net.bridge('br-fleet', ['192.168.8.100/24']);
  const store = net.host('etcd', [{ ifname: 'eth0', bridge: lan, addresses: ['192.168.8.5/24'] }]);
  const rs = net.host('rs1', [{ ifname: 'eth0', bridge: lan, addresses: ['192.168.8.20/24'] }]);
  NAMES.forEach((name, i) => {
    ns[name] = net.host(name, [
      { ifname: 'eth0', bridge: lan, addresses: [`192.168.8.${11 + i}/24`] },
    ]);
  });
  etcd = new EtcdServer(store, '192.168.8.5');
  await Promise.all([etcd.start(), net.httpServer(rs, 'rs1')]);
  const args = (name: Name) => [
    ...['--etcd', etcd.url, '--prefix', PREFIX, '--name', name],
    ...['--status-ttl', String(TTL), '--log-level', 'debug'],
  ];
  // d1 has a CONFIG of its own (a reconcile interval); d2 and d3 take everything from etcd.
  serve.d1 = new ServeProcess(ns.d1, 'reconcileInterval: 5s\n', args('d1'));
  serve.d2 = new ServeProcess(ns.d2, undefined, args('d2'));
  serve.d3 = new ServeProcess(ns.d3, undefined, args('d3'));
  await Promise.all(
    NAMES.map((name) =>
      serve[name].waitForLog((r) => r.event === 'started', `${name} started`, { seconds: 240 }),
    ),
  );
}, 400_000);

afterAll(async () => {
  for (const director of Object.values(serve)) await director.destroy();
  store?.close();
  await (etcd as EtcdServer | undefined)?.destroy();
  net.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('three ipvs serve directors sharing their services through etcd', () => {
  it('a pushed config reaches every table', async () => {
    expect(tables()).toEqual({ d1: [], d2: [], d3: [] });
    const pushed = Date.now();
    const result = push('v1', V1);
    expect(result).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        /: 3 services at revision \d+ \(3 written, 0 deleted\)/,
      ) as unknown,
    });
    const afterExit = await allTables(expected(1));
    console.log(
      `push v1: all three tables ${Date.now() - pushed} ms after the push started (${afterExit} ms after fleet push exited)`,
    );
    const keys = [...etcd.read(`${PREFIX}/services/`).keys()];
    expect(keys).toEqual([
      `${PREFIX}/services/tcp ${VIP}:443`,
      `${PREFIX}/services/tcp ${VIP}:80`,
      `${PREFIX}/services/udp ${VIP}:53`,
    ]);
  }, 240_000);

  it('a change is applied as the minimal diff on every director', async () => {
    const marks = Object.fromEntries(NAMES.map((n) => [n, serve[n].logLength])) as Record<
      Name,
      number
    >;
    const pushed = Date.now();
    const result = await pushHere(V2);
    expect([result.put.length, result.deleted]).toEqual([2, [`${PREFIX}/services/udp ${VIP}:53`]]);
    await allTables(expected(2));
    console.log(`push v2: all three tables ${Date.now() - pushed} ms after the push started`);
    for (const name of NAMES) {
      // v2's revision is the one with two shared services (v1's lines may still be arriving).
      const applied = await serve[name].waitForLog(
        (r) => r.event === 'etcd-revision-applied' && r.sharedServices === 2,
        `${name} v2`,
        { after: marks[name] },
      );
      const from = serve[name].log.indexOf(applied);
      const repairs = async (): Promise<string[]> => {
        await serve[name].waitForLog((r) => r.event === 'reloaded', `${name} v2 reloaded`, {
          after: from,
        });
        return logged(name, 'repair', from).map((r) => `${String(r.op)} ${String(r.target)}`);
      };
      // Three operations, nothing else touched: no service re-created, the checked .20 kept.
      const done = await poll(repairs, (list) => list.length >= 3, `${name}'s v2 repairs`);
      expect(done.sort(), name).toEqual([
        expect.stringMatching(/^addDestination .*192\.168\.8\.40:443/),
        expect.stringMatching(/^deleteService .*:53/),
        expect.stringMatching(/^editDestination .*192\.168\.8\.30:80/),
      ]);
      // Kept: the monitors of .20:80 (checked, its health carried over), .30:80 and .20:443.
      expect(logged(name, 'reloaded', from)[0]).toMatchObject({
        keptChecks: 3,
        retiredServices: [`udp ${VIP}:53`],
      });
    }
  }, 240_000);

  it('a bad push writes nothing; a bad value written behind its back is refused everywhere', async () => {
    const before = etcd.read(PREFIX + '/services/');
    const bad = push('bad', V2.replace('weight: 5', 'weight: heavy'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /bad\.yaml:\d+: services\[0\]\.destinations\[1\]\.weight .*\(nothing written\)/,
    );
    expect(etcd.read(PREFIX + '/services/')).toEqual(before);

    const marks = Object.fromEntries(NAMES.map((n) => [n, serve[n].logLength])) as Record<
      Name,
      number
    >;
    const key = `${PREFIX}/services/tcp ${VIP}:8080`;
    etcd.ctl(
      'put',
      key,
      JSON.stringify({
        protocol: 'tcp',
        address: VIP,
        port: 8080,
        destinations: 'none',
      }),
    );
    for (const name of NAMES) {
      const refused = await serve[name].waitForLog(
        (r) => r.event === 'etcd-revision-refused',
        `${name} refusal`,
        { after: marks[name] },
      );
      expect(String(refused.error)).toContain(`${key}: destinations`);
    }
    expect(tables()).toEqual({ d1: expected(2), d2: expected(2), d3: expected(2) });
    // The refusal is in every director's status entry.
    await poll(
      () => Promise.resolve([...statuses().values()].filter((s) => s.refused !== null).length),
      (refusing) => refusing === 3,
      'the refusal in the three status entries',
    );
    // The next good push (which deletes the stray key) clears it.
    const again = await pushHere(V2);
    expect([again.put, again.deleted]).toEqual([[], [key]]);
    for (const name of NAMES)
      await serve[name].waitForLog(
        (r) => r.event === 'etcd-revision-applied',
        `${name} good again`,
        { after: marks[name] },
      );
    expect(tables()).toEqual({ d1: expected(2), d2: expected(2), d3: expected(2) });
  }, 240_000);

  it('losing etcd keeps the tables and the checks; a push after its return arrives', async () => {
    const marks = Object.fromEntries(NAMES.map((n) => [n, serve[n].logLength])) as Record<
      Name,
      number
    >;
    await etcd.kill();
    const killed = Date.now();
    for (const name of NAMES)
      await serve[name].waitForLog((r) => r.event === 'etcd-lost', `${name} etcd-lost`, {
        after: marks[name],
      });
    // Longer than the status lease: the entries expire meanwhile and must come back.
    const checksBefore = NAMES.map((n) => logged(n, 'check', marks[n]).length);
    await new Promise((r) => setTimeout(r, (TTL + 5) * 1000));
    expect(tables()).toEqual({ d1: expected(2), d2: expected(2), d3: expected(2) });
    const checksDuring = NAMES.map(
      (n, i) => logged(n, 'check', marks[n]).length - (checksBefore[i] ?? 0),
    );
    for (const count of checksDuring) expect(count).toBeGreaterThan(0);
    await etcd.start();
    const restarted = Date.now();
    const back = await Promise.all(
      NAMES.map(async (name) => {
        await serve[name].waitForLog((r) => r.event === 'etcd-back', `${name} etcd-back`, {
          after: marks[name],
          seconds: 120,
        });
        return Date.now() - restarted;
      }),
    );
    console.log(
      `etcd down ${restarted - killed} ms; directors back ${back.join(', ')} ms after etcd answered; checks meanwhile ${checksDuring.join(', ')}`,
    );
    const pushed = Date.now();
    await pushHere(V3);
    await allTables(expected(3));
    console.log(
      `push v3 after the outage: all three tables ${Date.now() - pushed} ms after the push started`,
    );
    // Each status entry was written again under a new lease.
    await poll(
      () => Promise.resolve([...statuses().keys()].sort()),
      (names) => names.length === 3,
      'the three status entries again',
    );
  }, 400_000);

  it("a killed director's status entry goes with its lease", async () => {
    const key = `${PREFIX}/directors/d3`;
    expect(JSON.parse(etcd.read(key).get(key) ?? 'null')).toMatchObject({
      name: 'd3',
      sharedServices: 2,
      destinations: { up: 4, down: 0 },
    });
    await serve.d3.kill();
    const killed = Date.now();
    for (;;) {
      if (!etcd.read(key).has(key)) break;
      if (Date.now() - killed > 60_000) throw new Error(`${key} still there after 60 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
    console.log(
      `d3 SIGKILLed: its status entry gone after ${Date.now() - killed} ms (TTL ${TTL} s)`,
    );
    expect([...etcd.read(`${PREFIX}/directors/`).keys()]).toEqual([
      `${PREFIX}/directors/d1`,
      `${PREFIX}/directors/d2`,
    ]);
  }, 120_000);
});
