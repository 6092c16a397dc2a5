// The status page's pieces: escaping, formatting, the view, the JSON, the ring of recent changes,
// and the routes over a real HTTP server (page, JSON, events, failures).
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthEvents } from '../../lib/health/events.js';
import { takeSnapshot, type HealthSource, type Snapshot } from '../../lib/observe/snapshot.js';
import { RecentChanges, fromStateChange } from '../../lib/observe/status/changes.js';
import { bytes, latency, shortCount } from '../../lib/observe/status/format.js';
import { escapeHtml, markup as html, Html } from '../../lib/observe/status/html.js';
import { snapshotJson } from '../../lib/observe/status/json.js';
import { renderPage } from '../../lib/observe/status/page.js';
import { statusRoutes, type StatusRoutes } from '../../lib/observe/status/routes.js';
import { statusView } from '../../lib/observe/status/view.js';
import { FakeObservedTable } from '../support/fake-observed-table.js';
import { openEvents, serveRoute, until, type RouteServer } from '../support/status-server.js';

const SVC = 'tcp 192.168.8.200:80';
const EVIL = '<img src=x onerror="alert(1)">&';

async function table(): Promise<FakeObservedTable> {
  const t = new FakeObservedTable();
  await t.batch((b) => {
    b.addService({ protocol: 'tcp', address: '192.168.8.200', port: 80, scheduler: 'wrr' });
    for (const address of ['10.0.0.2', '10.0.0.3'])
      b.addDestination(
        { protocol: 'tcp', address: '192.168.8.200', port: 80 },
        { address, weight: 3, forward: 'masq' },
      );
  });
  t.setCounters(SVC, '10.0.0.2:80', {
    stats: { conns: 2n ** 60n, cps: 12n, inPps: 3400n, outPps: 5n, inBps: 1_500_000n },
    active: 4,
    inactive: 9,
  });
  return t;
}

const health = (detail: string): HealthSource => ({
  status: () => [
    {
      service: SVC,
      quorumMet: false,
      healthyWeight: 3,
      sorryServerActive: true,
      destinations: [
        {
          destination: '10.0.0.2:80',
          health: 'up',
          weight: 3,
          configuredWeight: 3,
          failures: 0,
          lastCheck: {
            ok: true,
            detail: 'status 200',
            at: Date.UTC(2025, 0, 1, 12),
            seconds: 0.0012,
          },
        },
        {
          destination: '10.0.0.3:80',
          health: 'down',
          weight: 0,
          configuredWeight: 3,
          failures: 4,
          lastCheck: { ok: false, detail, at: Date.UTC(2025, 0, 1, 12), seconds: 0.2 },
        },
      ],
    },
  ],
});

describe('html and formats', () => {
  it('escapes every interpolated value and keeps Html as is', () => {
    expect(escapeHtml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&#39;');
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p title="${'"x"'}">${inner}${['<', new Html('<br>')]}${5}</p>`.text).toBe(
      '<p title="&quot;x&quot;"><b>&lt;i&gt;</b>&lt;<br>5</p>',
    );
  });

  it('writes counts, byte rates and latencies short', () => {
    expect([0, 999, 1000, 1234, 99_999, 5_600_000].map((n) => shortCount(n))).toEqual([
      '0',
      '999',
      '1.0k',
      '1.2k',
      '100k',
      '5.6M',
    ]);
    expect(shortCount(2n ** 64n - 1n)).toBe('18E');
    expect([0, 1500, 1_500_000].map((n) => bytes(n))).toEqual(['0 B', '1.5 kB', '1.5 MB']);
    expect([0.00085, 0.0012, 0.035, 2].map(latency)).toEqual([
      '850 µs',
      '1.2 ms',
      '35 ms',
      '2.0 s',
    ]);
  });
});

describe('the view and the page', () => {
  it('shows health, weights now and configured, the check, quorum and rates', async () => {
    const view = statusView(await takeSnapshot(await table(), health('connect ECONNREFUSED')));
    const [service] = view.services;
    expect(service).toMatchObject({
      id: SVC,
      cls: 'svc crit sorry',
      open: true,
      f: {
        sched: 'wrr',
        health: '1/2 up',
        weight: '6 / 6',
        detail: 'QUORUM LOST · healthy weight 3 · sorry server in use',
        active: '4',
        inactive: '9',
        cps: '12',
        pps: '3.4k / 5',
        bps: '1.5 MB / 0 B',
      },
    });
    expect(service?.dests.map((d) => [d.key, d.cls, d.f.health, d.f.detail, d.f.lat])).toEqual([
      [`d:${SVC} -> 10.0.0.2:80`, 'dest h-up', 'up', 'status 200', '1.2 ms'],
      [
        `d:${SVC} -> 10.0.0.3:80`,
        'dest h-down',
        'down',
        'connect ECONNREFUSED · 4 failed in a row',
        '200 ms',
      ],
    ]);
    expect(view.summary.f).toMatchObject({
      services: '1',
      up: '1',
      down: '1',
      quorumLost: '1',
      sorry: '1',
    });
    expect(view.summary.cls).toBe('summary any-down any-quorum-lost any-sorry any-problem');
  });

  it('escapes what the kernel and the checks say, and allows only its own nonce', async () => {
    const snapshot = await takeSnapshot(await table(), health(EVIL));
    const page = renderPage({
      title: `lb <1>`,
      view: statusView(snapshot),
      error: { message: EVIL, at: 0 },
      changes: [
        fromStateChange({
          service: SVC,
          destination: '10.0.0.3:80',
          from: 'up',
          to: 'down',
          detail: EVIL,
        }),
      ],
      checked: true,
      intervalMs: 2000,
      nonce: 'abc',
    });
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;');
    expect(page).toContain('<title>lb &lt;1&gt;</title>');
    expect(page.match(/<script[^>]*>/g)).toEqual(['<script nonce="abc">', '<script nonce="abc">']);
    expect(page).toMatch(
      /<div id="error" role="alert"><span id="error-text">Reading the kernel&#39;s table failed/,
    );
    expect(page).toContain('<body data-interval="2000" class="stale">');
  });

  it('renders a page without any reading yet', () => {
    const page = renderPage({
      title: 't',
      view: undefined,
      error: { message: 'EPERM', at: 0 },
      changes: [],
      checked: false,
      intervalMs: 1000,
      nonce: 'n',
    });
    expect(page).toContain('No reading has succeeded yet');
    expect(page).toContain('No reading of the table yet.');
    expect(page).toContain('No health checker feeds this page');
  });
});

describe('snapshotJson', () => {
  it('writes bigints as exact decimal strings and absent sides as null', async () => {
    const t = await table();
    t.daemons = [
      { state: 'master', interface: 'eth0', syncId: 3, maxLength: 1472, port: 8848, ttl: 1 },
    ];
    const parsed = JSON.parse(snapshotJson(await takeSnapshot(t))) as {
      services: Array<{
        health: null;
        destinations: Array<{ kernel: { stats: { conns: string } } }>;
      }>;
      daemons: unknown[];
      totals: { conns: string };
    };
    expect(parsed.services[0]?.health).toBeNull();
    expect(parsed.services[0]?.destinations[0]?.kernel.stats.conns).toBe(String(2n ** 60n));
    expect(parsed.totals.conns).toBe('0');
    expect(parsed.daemons).toHaveLength(1);
  });
});

describe('RecentChanges', () => {
  it('keeps the newest entries, newest first', () => {
    const ring = new RecentChanges(3);
    for (let i = 1; i <= 5; i++)
      ring.push(
        fromStateChange(
          { service: SVC, destination: `10.0.0.${i}:80`, from: 'up', to: 'down', detail: '' },
          i,
        ),
      );
    expect(ring.list().map((e) => e.at)).toEqual([5, 4, 3]);
    expect(() => new RecentChanges(0)).toThrow(/capacity/);
  });
});

describe('statusRoutes', () => {
  let routes: StatusRoutes | undefined;
  let server: RouteServer | undefined;
  afterEach(async () => {
    routes?.close();
    await server?.close();
    routes = server = undefined;
  });

  async function start(snapshot: () => Promise<Snapshot>, checker?: EventEmitter<HealthEvents>) {
    routes = statusRoutes({
      snapshot,
      intervalMs: 100,
      title: 'lab',
      ...(checker ? { checker } : {}),
    });
    server = await serveRoute(routes);
    return server.url;
  }

  it('serves the page with a CSP nonce, the JSON, and refuses writes', async () => {
    const t = await table();
    const url = await start(() => takeSnapshot(t));
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    const text = await page.text();
    expect(text).toContain(`<script nonce="${nonce ?? 'missing'}">`);
    expect(text).toContain(`data-key="d:${SVC} -&gt; 10.0.0.2:80"`);
    const json = (await (await fetch(`${url}/status.json`)).json()) as Snapshot;
    expect(json.services.map((s) => s.destinations.map((d) => d.id))).toEqual([
      ['10.0.0.2:80', '10.0.0.3:80'],
    ]);
    expect((await fetch(`${url}/status.json`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
  });

  it('says the read failed, keeps the last figures, and recovers', async () => {
    const t = await table();
    let fail = false;
    const url = await start(() =>
      fail ? Promise.reject(new Error('netlink: EPERM <b>')) : takeSnapshot(t),
    );
    expect((await fetch(`${url}/status.json`)).status).toBe(200);
    fail = true;
    await new Promise((r) => setTimeout(r, 120));
    const failed = await fetch(`${url}/status.json`);
    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({ error: 'netlink: EPERM <b>' });
    const page = await (await fetch(`${url}/`)).text();
    expect(page).toContain('failed at');
    expect(page).toContain('netlink: EPERM &lt;b&gt;');
    expect(page).toContain(`data-key="d:${SVC} -&gt; 10.0.0.3:80"`); // the last good figures stay
    const events = await openEvents(`${url}/events`);
    await until('a failure event', () => events.messages.some((m) => m.event === 'failure'));
    fail = false;
    await until('a full update after recovery', () =>
      events.messages.some((m) => m.event === 'full'),
    );
    events.close();
  });

  it('reads one snapshot per interval for any number of pages, and sends only changed rows', async () => {
    const t = await table();
    let reads = 0;
    const url = await start(() => {
      reads++;
      return takeSnapshot(t);
    });
    const streams = await Promise.all([1, 2, 3, 4, 5].map(() => openEvents(`${url}/events`)));
    const started = Date.now();
    await until('three updates on every page', () => streams.every((s) => s.messages.length >= 3));
    t.setCounters(SVC, '10.0.0.3:80', { active: 42 });
    const seen = streams[0]?.messages.length ?? 0;
    await until('the change', () =>
      (streams[0]?.messages.slice(seen) ?? []).some(
        (m) => m.event === 'delta' && JSON.stringify(m.data).includes('"active":"42"'),
      ),
    );
    const elapsed = Date.now() - started;
    for (const s of streams) s.close();
    // One read at the start and one per 100 ms tick since (a tick's timer may fire late, not early).
    expect(reads).toBeLessThanOrEqual(Math.floor(elapsed / 100) + 2);
    const first = streams[0]?.messages ?? [];
    expect(first[0]?.event).toBe('full');
    const changed = first.find(
      (m) => m.event === 'delta' && JSON.stringify(m.data).includes('"active":"42"'),
    )?.data as { rows: Array<{ k: string }> };
    // The destination's row and its service's sum: the summary row changes too (its read time).
    expect(changed.rows.map((r) => r.k).filter((k) => k !== 'summary')).toEqual([
      `s:${SVC}`,
      `d:${SVC} -> 10.0.0.3:80`,
    ]);
    const idle = first.filter((m) => m.event === 'delta').slice(0, 1)[0]?.data as {
      rows: Array<{ k: string }>;
    };
    expect(idle.rows.map((r) => r.k)).toEqual(['summary']);
  });

  it('sends the checker’s changes at once and lists the recent ones on the page', async () => {
    const t = await table();
    const checker = new EventEmitter<HealthEvents>();
    const url = await start(() => takeSnapshot(t), checker);
    const events = await openEvents(`${url}/events`);
    await until('the first update', () => events.messages.length > 0);
    checker.emit('state', {
      service: SVC,
      destination: '10.0.0.3:80',
      from: 'up',
      to: 'down',
      detail: 'timed out',
    });
    checker.emit('quorum', {
      service: SVC,
      met: false,
      healthyWeight: 0,
      quorum: 1,
      hysteresis: 0,
      sorryServer: '10.0.0.9:80',
    });
    await until(
      'two changes',
      () => events.messages.filter((m) => m.event === 'change').length === 2,
    );
    expect(events.messages.filter((m) => m.event === 'change').map((m) => m.data)).toMatchObject([
      { to: 'down', text: 'up → down: timed out', row: `d:${SVC} -> 10.0.0.3:80` },
      {
        to: 'quorum lost',
        text: 'quorum lost (healthy weight 0, quorum 1) · sorry server 10.0.0.9:80 in',
      },
    ]);
    events.close();
    const page = await (await fetch(`${url}/`)).text();
    expect(page.indexOf('quorum lost (healthy')).toBeLessThan(page.indexOf('up → down: timed out'));
    routes?.close();
    expect(checker.listenerCount('state') + checker.listenerCount('quorum')).toBe(0);
  });
});
