// startObserving, what `ipvs exporter` and `ipvs serve --listen` run: one listener with /metrics
// and the status page, fed by one Snapshotter, closed with its open event streams.
import { get } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startObserving } from '../../lib/observe/observe.js';
import type { ObserveServer } from '../../lib/observe/server.js';
import { FakeObservedTable } from '../support/fake-observed-table.js';

const SVC = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;

/** Counts readings, each taking 200 ms as a large table's dump would. */
class CountingTable extends FakeObservedTable {
  readings = 0;
  override async getTotals() {
    this.readings++;
    await new Promise((resolve) => setTimeout(resolve, 200));
    return super.getTotals();
  }
}

async function table(): Promise<CountingTable> {
  const t = new CountingTable();
  await t.batch((b) => {
    b.addService({ ...SVC, scheduler: 'rr' });
    b.addDestination(SVC, { address: '10.0.0.2', weight: 3 });
  });
  return t;
}

let server: ObserveServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const base = (s: ObserveServer) => `http://${s.address.host}:${s.address.port}`;

describe('startObserving', () => {
  it('serves the metrics, the page and its JSON on one listener', async () => {
    const t = await table();
    server = await startObserving({
      listen: { host: '127.0.0.1', port: 0 },
      source: t,
      title: 'lb1 · IPVS',
    });
    const metrics = await (await fetch(`${base(server)}/metrics`)).text();
    expect(metrics).toContain(
      'ipvs_real_server_weight{service="tcp 192.168.8.200:80",real_server="10.0.0.2:80"} 3',
    );
    const page = await (await fetch(`${base(server)}/`)).text();
    expect(page).toContain('lb1 · IPVS');
    expect(page).toContain('tcp 192.168.8.200:80');
    const json = (await (await fetch(`${base(server)}/status.json`)).json()) as {
      services: Array<{ id: string }>;
    };
    expect(json.services.map((s) => s.id)).toEqual(['tcp 192.168.8.200:80']);
    expect((await fetch(`${base(server)}/nothing`)).status).toBe(404);
  });

  it('reads the kernel once for scrapes and page loads that arrive together', async () => {
    const t = await table();
    server = await startObserving({
      listen: { host: '127.0.0.1', port: 0 },
      source: t,
      title: 't',
    });
    const url = base(server);
    const replies = await Promise.all([
      fetch(`${url}/metrics`),
      fetch(`${url}/metrics`),
      fetch(`${url}/status.json`),
      fetch(`${url}/`),
    ]);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await Promise.all(replies.map((r) => r.text()));
    expect(t.readings).toBe(1);
  });

  it('closes while a page’s event stream is open', async () => {
    const t = await table();
    const s = await startObserving({
      listen: { host: '127.0.0.1', port: 0 },
      source: t,
      title: 't',
    });
    let begun: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (begun = resolve));
    const ended = new Promise<string>((resolve, reject) => {
      get(`${base(s)}/events`, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('event: full')) begun();
        });
        response.on('end', () => {
          resolve(text);
        });
        response.on('error', reject);
      }).on('error', reject);
    });
    // The stream has sent its first full update before the listener closes.
    await first;
    await s.close();
    expect(await ended).toMatch(/event: full/);
  });
});
