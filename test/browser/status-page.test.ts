// The status page in Debian's chromium, on the host: served by a node:http server of the test's
// own over a real HealthChecker on an in-memory table, whose checks hit real HTTP servers on
// 127.0.0.1 (the destinations' connect address). Outcomes are waited for on the page's DOM.
import { mkdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  HealthChecker,
  validateHealthConfig,
  type HealthConfigInput,
} from '../../lib/health/index.js';
import { takeSnapshot } from '../../lib/observe/snapshot.js';
import { statusRoutes, type StatusRoutes } from '../../lib/observe/status/routes.js';
import { httpServer, type TestServer } from '../support/check-targets.js';
import { FakeObservedTable } from '../support/fake-observed-table.js';
import { serveRoute, type RouteServer } from '../support/status-server.js';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.js';

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser.close();
});

interface Running {
  checker: HealthChecker;
  table: FakeObservedTable;
  routes: StatusRoutes;
  server: RouteServer;
  page: Page;
}
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function ok(): Promise<TestServer> {
  const server = await httpServer((_req, res) => res.end('ok'));
  cleanups.push(() => server.close());
  return server;
}

async function open(
  config: HealthConfigInput,
  intervalMs: number,
  setUp: (table: FakeObservedTable) => void = () => undefined,
  viewport = { width: 1280, height: 800 },
): Promise<Running> {
  const table = new FakeObservedTable();
  const checker = new HealthChecker(table, validateHealthConfig(config));
  await checker.start();
  cleanups.push(() => checker.stop());
  setUp(table);
  const routes = statusRoutes({
    snapshot: () => takeSnapshot(table, checker),
    checker,
    intervalMs,
    title: 'lb1.example · IPVS',
  });
  cleanups.push(() => {
    routes.close();
    return Promise.resolve();
  });
  const server = await serveRoute(routes);
  cleanups.push(() => server.close());
  const page = await browser.newPage({ viewport });
  // The machine is shared and slow at times: a generous bound, never a measure.
  page.setDefaultTimeout(120_000);
  cleanups.push(() => page.close());
  await page.goto(`${server.url}/`);
  await page.waitForSelector('#cost[data-ms]'); // the first live update is applied
  return { checker, table, routes, server, page };
}

const rowHealth = (page: Page, key: string) =>
  page.$eval(`tr[data-key="${key}"] [data-f=health]`, (el) => el.textContent);

describe('the status page in chromium', () => {
  it('turns a real server that stops answering down, without a reload', async () => {
    const [a, b] = [await ok(), await ok()];
    const interval = 300;
    const check = {
      type: 'http',
      interval,
      timeout: 200,
      retries: 0,
      address: '127.0.0.1',
    } as const;
    const { page } = await open(
      {
        services: [
          {
            protocol: 'tcp',
            address: '192.168.8.200',
            port: 80,
            destinations: [
              { address: '10.0.0.2', weight: 3, check: { ...check, port: a.port } },
              { address: '10.0.0.3', weight: 3, check: { ...check, port: b.port } },
            ],
          },
        ],
      },
      1000,
    );
    const key = 'd:tcp 192.168.8.200:80 -> 10.0.0.3:80';
    await page.waitForFunction(
      (k) => document.querySelector(`tr[data-key="${k}"]`)?.classList.contains('h-up'),
      key,
    );
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const stopped = Date.now();
    await b.close();
    await page.waitForFunction(
      (k) => document.querySelector(`tr[data-key="${k}"]`)?.classList.contains('h-down'),
      key,
      { timeout: 2 * interval + 1000 },
    );
    const took = Date.now() - stopped;
    expect(await rowHealth(page, key)).toBe('down');
    expect(
      await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
    ).toBe(true);
    // The change is listed, and the next tick shows the server inhibited and why.
    await page.waitForFunction(
      (k) => document.querySelector(`tr[data-key="${k}"] [data-f=weight]`)?.textContent === '0 / 3',
      key,
    );
    expect(await page.textContent(`tr[data-key="${key}"] [data-f=detail]`)).toMatch(
      /ECONNREFUSED|ECONNRESET/,
    );
    const changes = await page.$$eval('#change-list li', (els) => els.map((e) => e.textContent));
    expect(changes[0], changes.join('\n')).toMatch(/10\.0\.0\.3:80.*up → down/);
    expect(await page.textContent('tr[data-key="s:tcp 192.168.8.200:80"] [data-f=health]')).toBe(
      '1/2 up',
    );
    process.stdout.write(
      `status page: down shown ${took} ms after the server stopped (check interval ${interval} ms)\n`,
    );
  });

  it('filters a 1000-service table', async () => {
    const target = await ok();
    const services = Array.from({ length: 1000 }, (_, i) => ({
      protocol: 'tcp' as const,
      address: `10.1.${i >> 8}.${i & 255}`,
      port: 80,
      destinations: [1, 2, 3].map((n) => ({
        address: `172.16.${i >> 8}.${((i & 255) * 3 + n) % 256}`,
        port: 8000 + n,
        weight: 1,
      })),
      check: { type: 'tcp' as const, interval: '10s', address: '127.0.0.1', port: target.port },
    }));
    const started = Date.now();
    const { page } = await open({ services }, 1000, undefined, { width: 1400, height: 900 });
    const loaded = Date.now() - started;
    const visible = () =>
      page.$$eval(
        '#services tbody.grp',
        (els) => els.filter((e) => !(e as HTMLElement).hidden).length,
      );
    expect(await visible()).toBe(1000);
    await page.fill('#filter', 'tcp 10.1.1.');
    await page.waitForFunction(
      () => document.getElementById('shown')?.textContent === 'showing 256 of 1000 services',
    );
    expect(await visible()).toBe(256);
    // A real server's address finds its service, and shows only that server's row.
    await page.fill('#filter', '172.16.3.10:8001');
    await page.waitForFunction(() =>
      document.getElementById('shown')?.textContent.startsWith('showing 1 of'),
    );
    const rows = await page.$$eval(
      '#services tbody.grp:not([hidden]) tr.dest:not([hidden])',
      (els) => els.map((e) => e.getAttribute('data-id')),
    );
    expect(rows).toEqual(['172.16.3.10:8001']);
    expect(await page.isVisible('tr[data-key="d:tcp 10.1.3.3:80 -> 172.16.3.10:8001"]')).toBe(true);
    await page.fill('#filter', '');
    await page.waitForFunction(
      () => document.getElementById('shown')?.textContent === '1000 services',
    );
    expect(await visible()).toBe(1000);
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return { dom: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, bytes: nav.transferSize };
    });
    await page.waitForFunction(() => document.getElementById('cost')?.textContent !== '—');
    const cost = await page.textContent('#cost');
    process.stdout.write(
      `status page, 1000 services x 3 servers: load ${timing.load.toFixed(0)} ms (DOMContentLoaded ${timing.dom.toFixed(0)} ms, ` +
        `${timing.bytes} bytes), checker start + first page ${loaded} ms, last update ${cost ?? ''}\n`,
    );
  }, 300_000);

  it('takes the screenshot for the README', async () => {
    const live = await ok();
    const dead = await ok();
    const check = (port: number) =>
      ({
        type: 'http',
        path: '/healthz',
        interval: 500,
        timeout: 3000,
        retries: 0,
        address: '127.0.0.1',
        port,
      }) as const;
    const web = { protocol: 'tcp', address: '203.0.113.10', port: 443, scheduler: 'wlc' } as const;
    const { page } = await open(
      {
        services: [
          {
            ...web,
            quorum: 2,
            sorryServer: { address: '10.0.9.1', port: 443, forward: 'masq' },
            destinations: [11, 12, 13, 14].map((n) => ({
              address: `10.0.1.${n}`,
              forward: 'masq' as const,
              weight: 10,
              check: check(n === 13 ? dead.port : live.port),
            })),
          },
          {
            protocol: 'tcp',
            address: '203.0.113.10',
            port: 80,
            scheduler: 'rr',
            destinations: [11, 12].map((n) => ({
              address: `10.0.1.${n}`,
              forward: 'masq' as const,
              weight: 1,
              check: check(live.port),
            })),
          },
          {
            protocol: 'udp',
            address: '203.0.113.53',
            port: 53,
            scheduler: 'sh',
            destinations: [21, 22, 23].map((n) => ({
              address: `10.0.2.${n}`,
              weight: 5,
              check: { type: 'tcp', interval: 500, address: '127.0.0.1', port: live.port } as const,
            })),
          },
          {
            protocol: 'tcp',
            address: '203.0.113.20',
            port: 5432,
            scheduler: 'wlc',
            persistence: 600,
            destinations: [31, 32].map((n) => ({
              address: `10.0.3.${n}`,
              weight: 100,
              check: { type: 'tcp', interval: 500, address: '127.0.0.1', port: live.port } as const,
            })),
          },
        ],
      },
      1000,
      (t) => {
        const traffic = (service: string, dest: string, k: number, active: number) => {
          t.setCounters(service, dest, {
            stats: {
              conns: BigInt(k * 48_211),
              cps: BigInt(k * 37),
              inPps: BigInt(k * 2_410),
              outPps: BigInt(k * 3_120),
              inBps: BigInt(k * 310_000),
              outBps: BigInt(k * 4_200_000),
            },
            active,
            inactive: active * 3,
          });
        };
        [11, 12, 14].forEach((n, i) => {
          traffic('tcp 203.0.113.10:443', `10.0.1.${n}:443`, 3 + i, 210 + 17 * i);
        });
        traffic('tcp 203.0.113.10:443', '10.0.1.13:443', 0, 4);
        [11, 12].forEach((n, i) => {
          traffic('tcp 203.0.113.10:80', `10.0.1.${n}:80`, 1 + i, 12 + i);
        });
        [21, 22, 23].forEach((n, i) => {
          traffic('udp 203.0.113.53:53', `10.0.2.${n}:53`, 2 + i, 0);
        });
        [31, 32].forEach((n, i) => {
          traffic('tcp 203.0.113.20:5432', `10.0.3.${n}:5432`, 1, 40 + i);
        });
        t.totals = {
          ...t.totals,
          conns: 1_934_221n,
          cps: 611n,
          inPps: 31_020n,
          outPps: 40_110n,
          inBps: 4_190_000n,
          outBps: 55_800_000n,
        };
        t.daemons = [
          {
            state: 'master',
            interface: 'eth1',
            syncId: 7,
            maxLength: 1472,
            group: '224.0.0.81',
            port: 8848,
            ttl: 1,
          },
        ];
      },
      { width: 1440, height: 620 },
    );
    await dead.close();
    const key = 'd:tcp 203.0.113.10:443 -> 10.0.1.13:443';
    await page.waitForFunction(
      (k) =>
        document.querySelector(`tr[data-key="${k}"] [data-f=weight]`)?.textContent === '0 / 10',
      key,
    );
    // Open every service, as an operator would to show the whole table.
    await page.click('#expand');
    mkdirSync('docs', { recursive: true });
    await page.screenshot({ path: 'docs/status-page.png', fullPage: true });
    expect(await page.textContent(`tr[data-key="${key}"] [data-f=health]`)).toBe('down');
  });
});
