// What `ipvs exporter` and `ipvs serve --listen` start: one listener with /metrics and the status
// page (/, /status.json, /events), both fed by one Snapshotter, so that scrapers and open pages
// together cause one kernel reading at a time.
import type { EventEmitter } from 'node:events';
import type { HealthEvents } from '../health/events.js';
import type { ListenAddress } from './listen-address.js';
import { MetricsExporter } from './metrics/exporter.js';
import { startObserveServer, type ObserveServer } from './server.js';
import type { HealthSource, SnapshotSource, VrrpSource } from './snapshot.js';
import { Snapshotter } from './snapshotter.js';
import { statusRoutes } from './status/index.js';

export interface ObserveOptions {
  listen: ListenAddress;
  source: SnapshotSource;
  /** The health checker, inside `ipvs serve`: its view and its state changes. */
  checker?: HealthSource & EventEmitter<HealthEvents>;
  /** `ipvs serve`'s VRRP instances: their state and counters in /metrics and /status.json. */
  vrrp?: VrrpSource;
  /** The status page's heading. */
  title: string;
  /** How often open pages are updated, in ms (default 2000). */
  intervalMs?: number;
}

export async function startObserving(options: ObserveOptions): Promise<ObserveServer> {
  const snapshotter = new Snapshotter(options.source, options.checker, options.vrrp);
  const status = statusRoutes({
    snapshot: () => snapshotter.read(),
    title: options.title,
    ...(options.checker === undefined ? {} : { checker: options.checker }),
    ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
  });
  let server: ObserveServer;
  try {
    server = await startObserveServer({
      listen: options.listen,
      metrics: new MetricsExporter(snapshotter),
      routes: [status],
    });
  } catch (error) {
    status.close();
    throw error;
  }
  return {
    address: server.address,
    async close() {
      // The page's event streams first: the listener's close waits for open connections.
      status.close();
      await server.close();
    },
  };
}
