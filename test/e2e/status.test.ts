// The status page's data against the kernel: a real HealthChecker on a real handle, its routes
// served over HTTP (as `ipvs serve --listen` serves them), and /status.json compared with
// ipvsadm's own listing and with the checker's view, while one real server answers and one does
// not. Polled, never timed.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthChecker, Ipvs, validateHealthConfig, type Stats } from '../../lib/index.js';
import { takeSnapshot, type SnapshotSource } from '../../lib/observe/snapshot.js';
import { statusRoutes, type StatusRoutes } from '../../lib/observe/status/routes.js';
import { addLan } from '../support/ipvs-test.js';
import { sh } from '../support/sh.js';
import { serveRoute, type RouteServer } from '../support/status-server.js';

const WEB = 'tcp 192.168.8.200:80';
let ipvs: Ipvs;
let checker: HealthChecker;
let routes: StatusRoutes;
let page: RouteServer;
let target: Server;
let live: number;

/** /proc/net/ip_vs_stats: counters on its third line, rates on its sixth, in hex. */
function procTotals(): Promise<Stats> {
  const lines = readFileSync('/proc/net/ip_vs_stats', 'utf8').split('\n');
  const hex = (line: string | undefined) =>
    (line ?? '')
      .trim()
      .split(/\s+/)
      .map((v) => BigInt(`0x${v}`));
  const [conns = 0n, inPkts = 0n, outPkts = 0n, inBytes = 0n, outBytes = 0n] = hex(lines[2]);
  const [cps = 0n, inPps = 0n, outPps = 0n, inBps = 0n, outBps = 0n] = hex(lines[5]);
  return Promise.resolve({
    conns,
    inPkts,
    outPkts,
    inBytes,
    outBytes,
    cps,
    inPps,
    outPps,
    inBps,
    outBps,
  });
}

interface Listed {
  service: string;
  destinations: Array<{
    id: string;
    forward: string;
    weight: number;
    active: number;
    inactive: number;
  }>;
}

/** `ipvsadm -Ln`, parsed: services and their real servers as the page names them. */
function ipvsadmView(): Listed[] {
  const out: Listed[] = [];
  const forward: Record<string, string> = { Masq: 'masq', Route: 'route', Tunnel: 'tunnel' };
  for (const line of sh('ipvsadm', '-Ln').split('\n')) {
    const service = /^(TCP|UDP|SCTP)\s+(\S+)/.exec(line);
    if (service?.[1] !== undefined && service[2] !== undefined) {
      out.push({ service: `${service[1].toLowerCase()} ${service[2]}`, destinations: [] });
      continue;
    }
    const d = /^\s+->\s+(\d\S*)\s+(\w+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(line);
    if (d?.[1] !== undefined && d[2] !== undefined)
      out.at(-1)?.destinations.push({
        id: d[1],
        forward: forward[d[2]] ?? d[2],
        weight: Number(d[3]),
        active: Number(d[4]),
        inactive: Number(d[5]),
      });
  }
  return out;
}

interface JsonSnapshot {
  services: Array<{
    id: string;
    kernel: { scheduler: string } | null;
    health: { quorumMet: boolean } | null;
    destinations: Array<{
      id: string;
      kernel: {
        forward: string;
        weight: number;
        activeConnections: number;
        inactiveConnections: number;
      } | null;
      health: {
        health: string;
        weight: number | null;
        configuredWeight: number;
        lastCheck: { detail: string } | null;
      } | null;
    }>;
  }>;
}

const status = async (): Promise<JsonSnapshot> =>
  (await (await fetch(`${page.url}/status.json`)).json()) as JsonSnapshot;

beforeAll(async () => {
  addLan();
  target = createServer((_q, r) => r.end('ok'));
  await new Promise<void>((resolve) => target.listen(0, '192.168.8.10', resolve));
  live = (target.address() as AddressInfo).port;
  ipvs = await Ipvs.open();
  const check = { type: 'tcp', interval: 200, timeout: 1000, retries: 0 } as const;
  checker = new HealthChecker(
    ipvs,
    validateHealthConfig({
      reconcileInterval: '1s',
      services: [
        {
          protocol: 'tcp',
          address: '192.168.8.200',
          port: 80,
          scheduler: 'rr',
          check,
          destinations: [
            { address: '192.168.8.10', port: live, forward: 'masq', weight: 2 },
            { address: '192.168.8.10', port: 1, forward: 'masq', weight: 3 },
          ],
        },
        {
          protocol: 'udp',
          address: '192.168.8.202',
          port: 53,
          destinations: [{ address: '192.168.8.10', port: 53, forward: 'masq', weight: 4 }],
        },
      ],
    }),
  );
  await checker.start();
  const source: SnapshotSource = {
    listServices: (options) => ipvs.listServices(options),
    listDaemons: () => ipvs.listDaemons(),
    getTotals: procTotals,
  };
  routes = statusRoutes({
    snapshot: () => takeSnapshot(source, checker),
    checker,
    intervalMs: 200,
  });
  page = await serveRoute(routes);
});

afterAll(async () => {
  routes.close();
  await page.close();
  await checker.stop({ flush: true });
  ipvs.close();
  target.close();
});

describe('status page data in the kernel', () => {
  it('/status.json agrees with ipvsadm and with the checker', async () => {
    const dead = `192.168.8.10:1`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const json = await status();
      const d = json.services.find((s) => s.id === WEB)?.destinations.find((x) => x.id === dead);
      if (d?.health?.health === 'down' && d.kernel?.weight === 0) break;
      if (Date.now() > deadline)
        throw new Error(`dead server never inhibited: ${JSON.stringify(json)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const snapshot = await status();
    const listed = ipvsadmView();
    // The same services and real servers, with ipvsadm's weights, methods and connections.
    expect(snapshot.services.map((s) => s.id).sort()).toEqual(listed.map((s) => s.service).sort());
    for (const l of listed) {
      const s = snapshot.services.find((x) => x.id === l.service);
      expect(
        s?.destinations.map((d) => ({
          id: d.id,
          forward: d.kernel?.forward,
          weight: d.kernel?.weight,
          active: d.kernel?.activeConnections,
          inactive: d.kernel?.inactiveConnections,
        })),
      ).toEqual(expect.arrayContaining(l.destinations));
      expect(s?.destinations).toHaveLength(l.destinations.length);
    }
    // And the checker's view, joined by identity.
    const web = snapshot.services.find((s) => s.id === WEB);
    const byId = new Map(web?.destinations.map((d) => [d.id, d.health]));
    expect(byId.get(`192.168.8.10:${live}`)).toMatchObject({
      health: 'up',
      weight: 2,
      configuredWeight: 2,
    });
    expect(byId.get(dead)).toMatchObject({ health: 'down', weight: 0, configuredWeight: 3 });
    expect(byId.get(dead)?.lastCheck?.detail).toMatch(/ECONNREFUSED/);
    const checked = checker.status().find((s) => s.service === WEB);
    // The checker lists its servers in the config's order, the snapshot in the kernel's.
    const pairs = (list: Array<[string, string | undefined]> | undefined) =>
      [...(list ?? [])].sort(([a], [b]) => a.localeCompare(b));
    expect(
      pairs(checked?.destinations.map((d): [string, string] => [d.destination, d.health])),
    ).toEqual(
      pairs(web?.destinations.map((d): [string, string | undefined] => [d.id, d.health?.health])),
    );
    expect(snapshot.services.find((s) => s.id === 'udp 192.168.8.202:53')?.health?.quorumMet).toBe(
      true,
    );
    // The page shows the same: the dead server's row is down, at weight 0 of 3.
    const html = await (await fetch(`${page.url}/`)).text();
    expect(html).toMatch(
      new RegExp(
        `<tr class="dest h-down w0" data-key="d:${WEB} -&gt; ${dead}"[^]*?data-f="weight">0 / 3<`,
      ),
    );
  });
});
