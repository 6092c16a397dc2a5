// `ipvs exporter` against its peers, with traffic flowing through an LVS-NAT director (the client
// is this file's namespace, 192.168.8.100; real servers 10.0.0.20 and .30 behind the director):
// Debian's node_exporter, run in the director's namespace, and `ipvs exporter --netns` agree on
// node_exporter's families; promtool accepts our exposition; Debian's Prometheus, on this
// namespace's loopback, scrapes us every second and a PromQL rate() of a real server is above 0.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ipvs } from '../../lib/index.js';
import { byKey, parseExposition, type Sample } from '../support/exposition.js';
import { httpGet } from '../support/http.js';
import { ipvsCommand, REPO } from '../support/ipvs-cli.js';
import { get, netnsPath, poll, Topology } from '../support/topology.js';

const vip = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;
const EXPORTER = '127.0.0.1:9742';
const NODE_EXPORTER = '127.0.0.1:9100';
const PROMETHEUS = '127.0.0.1:9090';
const net = new Topology('ipvs-metrics');
const children: ChildProcess[] = [];
let director: string;
let dir: string;
let ipvs: Ipvs;

function start(argv: readonly string[]): ChildProcess {
  const [file = '', ...args] = argv;
  const child = spawn(file, args, { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal === null) process.stderr.write(`${file} exited ${code}: ${stderr}\n`);
  });
  children.push(child);
  return child;
}

/** Fetches a URL on the director's loopback (node_exporter's), through curl in its namespace. */
function curlInDirector(url: string): string {
  const r = spawnSync('ip', ['netns', 'exec', director, 'curl', '-sfS', url], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`curl ${url} in ${director}: ${r.stderr}`);
  return r.stdout;
}

const ours = async (): Promise<Sample[]> =>
  parseExposition(await httpGet(`http://${EXPORTER}/metrics`));
const theirs = (): Sample[] => parseExposition(curlInDirector(`http://${NODE_EXPORTER}/metrics`));

async function ready(what: string, probe: () => Promise<unknown>, seconds: number): Promise<void> {
  await poll(
    () =>
      probe().then(
        () => true,
        () => false,
      ),
    (ok) => ok,
    what,
    seconds,
  );
}

beforeAll(async () => {
  const lan = net.bridge('br-lan', ['192.168.8.100/24']);
  const inside = net.bridge('br-in');
  director = net.host('director', [
    { ifname: 'ens33', bridge: lan, addresses: ['192.168.8.10/24', '192.168.8.200/32'] },
    { ifname: 'ens34', bridge: inside, addresses: ['10.0.0.1/24'] },
  ]);
  const rs1 = net.host('rs1', [{ ifname: 'eth0', bridge: inside, addresses: ['10.0.0.20/24'] }]);
  const rs2 = net.host('rs2', [{ ifname: 'eth0', bridge: inside, addresses: ['10.0.0.30/24'] }]);
  net.exec(director, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  for (const rs of [rs1, rs2]) net.exec(rs, 'ip', 'route', 'replace', 'default', 'via', '10.0.0.1');

  // The slow starters first, then the table while they start.
  start(ipvsCommand('exporter', '--netns', director, '--listen', EXPORTER));
  // prettier-ignore
  start(['ip', 'netns', 'exec', director, 'prometheus-node-exporter', '--collector.disable-defaults', '--collector.ipvs', `--web.listen-address=${NODE_EXPORTER}`]);
  dir = mkdtempSync(join(tmpdir(), 'ipvs-metrics-e2e-'));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: ipvs
    static_configs: [{ targets: ['${EXPORTER}'] }]
`,
  );
  // prettier-ignore
  start(['prometheus', `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=${PROMETHEUS}`]);

  await Promise.all([net.httpServer(rs1, 'rs1', 8080), net.httpServer(rs2, 'rs2', 8080)]);
  ipvs = await Ipvs.open({ netns: netnsPath(director) });
  await ipvs.batch((b) => {
    b.addService({ ...vip, scheduler: 'rr' });
    b.addDestination(vip, { address: '10.0.0.20', port: 8080, forward: 'nat', weight: 2 });
    b.addDestination(vip, { address: '10.0.0.30', port: 8080, forward: 'nat', weight: 1 });
    // No traffic: how the peers label a fwmark service and an IPv6 one.
    b.addService({ fwmark: 26, scheduler: 'wlc' });
    b.addDestination({ fwmark: 26 }, { address: '10.0.0.20', port: 0, forward: 'route' });
    const v6 = { protocol: 'tcp', address: '2001:db8::200', port: 443 } as const;
    b.addService({ ...v6, scheduler: 'rr' });
    b.addDestination(v6, { address: '2001:db8::20', port: 8443, forward: 'nat', weight: 4 });
  });
  // Ten connections, each from a port of its own, so that the kernel counts ten (see httpGet).
  for (let i = 0; i < 10; i++)
    await httpGet('http://192.168.8.200/', undefined, 10_000, 41_000 + i);

  await ready('node_exporter', () => Promise.resolve(theirs()), 60);
  await ready('ipvs exporter', ours, 240);
}, 300_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
  ipvs.close();
  net.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('ipvs exporter', () => {
  it('agrees with node_exporter on its families: label sets, and counters within what moved', async () => {
    const before = byKey(theirs(), 'node_ipvs_');
    const mine = byKey(await ours(), 'node_ipvs_');
    const after = byKey(theirs(), 'node_ipvs_');
    expect([...mine.keys()].sort()).toEqual([...before.keys()].sort());
    expect(mine.size).toBe(5 + 3 * 4);
    for (const [key, value] of mine) {
      const [low, high] = [before.get(key) ?? NaN, after.get(key) ?? NaN].sort((a, b) => a - b);
      expect({ key, value, between: value >= (low ?? NaN) && value <= (high ?? NaN) }).toEqual({
        key,
        value,
        between: true,
      });
    }
    expect(mine.get('node_ipvs_connections_total []')).toBeGreaterThanOrEqual(10);
    const fwmark = [...mine.keys()].find((k) => k.includes('"FWM"'));
    expect(fwmark).toContain('["local_mark","0000001A"]');
    expect([...mine.keys()].some((k) => k.includes('["remote_address","2001:db8::20"]'))).toBe(
      true,
    );
  });

  it('passes promtool check metrics', async () => {
    const text = await httpGet(`http://${EXPORTER}/metrics`);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: r.status, output: `${r.stdout}${r.stderr}` }).toEqual({
      status: 0,
      output: '',
    });
  });

  it('is scraped by Prometheus: a PromQL rate of a real server is above 0', async () => {
    const query =
      'rate(ipvs_real_server_incoming_packets_total{real_server="10.0.0.20:8080"}[10s])';
    const load = { on: true };
    const requests = (async () => {
      while (load.on) {
        await get('http://192.168.8.200/');
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      const value = await poll(
        async () => {
          const url = `http://${PROMETHEUS}/api/v1/query?query=${encodeURIComponent(query)}`;
          const body = await httpGet(url).catch(() => '{}');
          const reply = JSON.parse(body) as { data?: { result?: { value: [number, string] }[] } };
          return Number(reply.data?.result?.[0]?.value[1] ?? 0);
        },
        (rate) => rate > 0,
        `a PromQL rate above 0 (${query})`,
        90,
      );
      expect(value).toBeGreaterThan(0);
    } finally {
      load.on = false;
      await requests;
    }
  }, 120_000);
});
