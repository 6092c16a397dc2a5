// The in-memory table (fake-ipvs-table.ts) as a SnapshotSource: it lists services with their
// destinations, and a test sets counters, totals and sync daemons to what a kernel would report.
import type { SnapshotSource } from '../../lib/observe/snapshot.js';
import type { Daemon, ListOptions, Service, Stats } from '../../lib/index.js';
import { FakeIpvsTable } from './fake-ipvs-table.js';
import { zeroStats } from './stats.js';

export class FakeObservedTable extends FakeIpvsTable implements SnapshotSource {
  totals: Stats = zeroStats;
  daemons: Daemon[] = [];
  /** Counters and connection counts by "service id -> destination id". */
  private readonly counters = new Map<string, { stats: Stats; active: number; inactive: number }>();

  /** Sets what the kernel would report for one destination ("tcp 10.0.0.1:80", "10.0.0.2:80"). */
  setCounters(
    service: string,
    destination: string,
    counters: { stats?: Partial<Stats>; active?: number; inactive?: number },
  ): void {
    const key = `${service} -> ${destination}`;
    const had = this.counters.get(key) ?? { stats: zeroStats, active: 0, inactive: 0 };
    this.counters.set(key, {
      stats: { ...had.stats, ...counters.stats },
      active: counters.active ?? had.active,
      inactive: counters.inactive ?? had.inactive,
    });
  }

  override async listServices(options: ListOptions = {}): Promise<Service[]> {
    const services = await super.listServices();
    if (options.destinations !== true) return services;
    return Promise.all(
      services.map(async (service) => {
        const id = `${service.protocol ?? ''} ${service.address ?? ''}:${service.port ?? 0}`;
        const destinations = (await this.listDestinations(service)).map((d) => {
          const counters = this.counters.get(`${id} -> ${d.address}:${d.port}`);
          return counters === undefined
            ? d
            : {
                ...d,
                stats: counters.stats,
                activeConnections: counters.active,
                inactiveConnections: counters.inactive,
              };
        });
        // The kernel counts a service's traffic as its destinations' together.
        const stats = destinations.reduce(addStats, service.stats);
        return { ...service, stats, destinations };
      }),
    );
  }

  listDaemons(): Promise<Daemon[]> {
    return Promise.resolve(this.daemons.map((d) => ({ ...d })));
  }

  getTotals(): Promise<Stats> {
    return Promise.resolve(this.totals);
  }
}

function addStats(total: Stats, d: { stats: Stats }): Stats {
  const out = { ...total };
  for (const key of Object.keys(out) as (keyof Stats)[]) out[key] += d.stats[key];
  return out;
}
