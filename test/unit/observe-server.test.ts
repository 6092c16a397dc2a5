// The observe listener on loopback, over the fake observed table: /metrics (text, OpenMetrics,
// gzip), extra routes, 404 and 405, a failing kernel reading answered 500 and counted while the
// listener goes on; and the listen address option's parsing.
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { parseListenAddress } from '../../lib/observe/listen-address.js';
import { MetricsExporter } from '../../lib/observe/metrics/exporter.js';
import type { Route } from '../../lib/observe/route.js';
import { startObserveServer, type ObserveServer } from '../../lib/observe/server.js';
import { Snapshotter } from '../../lib/observe/snapshotter.js';
import { FakeObservedTable } from '../support/fake-observed-table.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function fetchRaw(
  server: ObserveServer,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: server.address.host, port: server.address.port, path, ...options },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let server: ObserveServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(table: FakeObservedTable, routes: Route[] = []): Promise<ObserveServer> {
  server = await startObserveServer({
    listen: { host: '127.0.0.1', port: 0 },
    metrics: new MetricsExporter(new Snapshotter(table)),
    routes,
  });
  return server;
}

describe('observe listener', () => {
  it('serves /metrics in the text format, OpenMetrics when asked, gzipped when accepted', async () => {
    const table = new FakeObservedTable();
    table.totals = { ...table.totals, conns: 3n };
    const s = await serve(table);
    const text = await fetchRaw(s, '/metrics');
    expect(text.status).toBe(200);
    expect(text.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text.body.toString()).toContain('\nnode_ipvs_connections_total 3\n');
    const om = await fetchRaw(s, '/metrics?x=1', {
      headers: { accept: 'application/openmetrics-text;version=1.0.0', 'accept-encoding': 'gzip' },
    });
    expect(om.headers['content-type']).toBe(
      'application/openmetrics-text; version=1.0.0; charset=utf-8',
    );
    expect(om.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(om.body).toString()).toMatch(/\nnode_ipvs_connections_total 3\n[^]*# EOF\n$/);
  });

  it('passes other paths to the routes in order, then answers 404; only GET and HEAD', async () => {
    const seen: string[] = [];
    const status: Route = (_req, res, url) => {
      seen.push(url.pathname);
      if (url.pathname !== '/') return false;
      res.end('status page');
      return true;
    };
    const s = await serve(new FakeObservedTable(), [status]);
    expect((await fetchRaw(s, '/')).body.toString()).toBe('status page');
    const missing = await fetchRaw(s, '/nothing');
    expect(missing.status).toBe(404);
    expect(missing.body.toString()).toContain('/nothing');
    expect(seen).toEqual(['/', '/nothing']);
    const post = await fetchRaw(s, '/metrics', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('answers 500 when the kernel cannot be read, counts it, and serves the next scrape', async () => {
    const table = new FakeObservedTable();
    const s = await serve(table);
    table.getTotals = () => Promise.reject(new Error('/proc/net/ip_vs_stats: ENOENT'));
    const failed = await fetchRaw(s, '/metrics');
    expect(failed.status).toBe(500);
    expect(failed.body.toString()).toContain('reading IPVS failed: /proc/net/ip_vs_stats: ENOENT');
    table.getTotals = FakeObservedTable.prototype.getTotals.bind(table);
    const next = await fetchRaw(s, '/metrics');
    expect(next.status).toBe(200);
    expect(next.body.toString()).toContain('\nipvs_exporter_scrape_errors_total 1\n');
  });

  it('answers 500 when a route throws, and goes on', async () => {
    const s = await serve(new FakeObservedTable(), [
      () => {
        throw new Error('route broke');
      },
    ]);
    const broken = await fetchRaw(s, '/');
    expect(broken.status).toBe(500);
    expect(broken.body.toString()).toContain('route broke');
    expect((await fetchRaw(s, '/metrics')).status).toBe(200);
  });
});

describe('parseListenAddress', () => {
  it('reads HOST:PORT, [IPv6]:PORT and :PORT (127.0.0.1)', () => {
    expect(parseListenAddress('0.0.0.0:9742', '--listen')).toEqual({ host: '0.0.0.0', port: 9742 });
    expect(parseListenAddress('[::1]:80', '--listen')).toEqual({ host: '::1', port: 80 });
    expect(parseListenAddress(':9742', '--listen')).toEqual({ host: '127.0.0.1', port: 9742 });
    expect(parseListenAddress('localhost:1', '--listen')).toEqual({ host: 'localhost', port: 1 });
  });

  it('says what is wrong, naming the option', () => {
    expect(() => parseListenAddress('9742', '--listen')).toThrow(
      '--listen: expected HOST:PORT, [IPv6]:PORT or :PORT, got "9742"',
    );
    expect(() => parseListenAddress('::1:80', '--listen')).toThrow(
      '--listen: write an IPv6 address in brackets: [::1]:80',
    );
    expect(() => parseListenAddress('[nope]:80', '--listen')).toThrow(
      '--listen: "nope" is not an IPv6 address',
    );
    expect(() => parseListenAddress('host:http', '--listen')).toThrow(
      '--listen: the port must be a number from 0 to 65535, got "http"',
    );
    expect(() => parseListenAddress(':70000', '--listen')).toThrow('got "70000"');
  });
});
