// One reading of everything the metrics and the status page show: the table with its
// destinations and counters (one exchange), the namespace's totals, the sync daemons, and, inside
// `ipvs serve`, the health checker's view. Both renderings work from a Snapshot, so a scrape or a
// page refresh costs one dump whatever the table's size, and both show the same moment.
import type { DestinationStatus, ServiceStatus } from '../health/checker.js';
import { destinationIdentity, serviceIdentity } from '../model/identity.js';
import type { Daemon, Destination, Service, Stats } from '../model/types.js';
import type { VrrpInstanceStatus } from '../vrrp/instance.js';

/** What a snapshot is read from: an Ipvs handle, or a table kept in memory by a test. */
export interface SnapshotSource {
  listServices(options: { destinations: true }): Promise<Service[]>;
  listDaemons(): Promise<Daemon[]>;
  /** The namespace's totals since IPVS was loaded (/proc/net/ip_vs_stats). */
  getTotals(): Promise<Stats>;
}

/** `ipvs serve`'s VRRP instances: VrrpInstances has it. */
export interface VrrpSource {
  status(): VrrpInstanceStatus[];
}

/** The health checker's side: HealthChecker has it. */
export interface HealthSource {
  status(): ServiceStatus[];
}

export interface SnapshotDestination {
  /** "10.0.0.2:80", "[2001:db8::2]:80": the destination's identity. */
  id: string;
  kernel: Destination | undefined;
  /** Undefined when no health checker runs or it does not manage this destination. */
  health: DestinationStatus | undefined;
}

export interface SnapshotService {
  /** "tcp 192.168.8.200:80", "fwmark 7 (ipv4)": the service's identity. */
  id: string;
  kernel: Service | undefined;
  health: ServiceStatus | undefined;
  destinations: SnapshotDestination[];
}

export interface Snapshot {
  /** When the reading began, in ms since the epoch. */
  takenAt: number;
  /** How long reading the kernel took, in seconds. */
  readSeconds: number;
  /** Every service in the kernel, then those the checker manages that the kernel lacks. */
  services: SnapshotService[];
  totals: Stats;
  daemons: Daemon[];
  /** Inside `ipvs serve` with a vrrp list: each instance's state, priority and counters. */
  vrrp?: VrrpInstanceStatus[];
}

export async function takeSnapshot(
  source: SnapshotSource,
  health?: HealthSource,
  vrrp?: VrrpSource,
): Promise<Snapshot> {
  const takenAt = Date.now();
  const started = performance.now();
  const [services, totals, daemons] = await Promise.all([
    source.listServices({ destinations: true }),
    source.getTotals(),
    source.listDaemons(),
  ]);
  const readSeconds = (performance.now() - started) / 1000;
  return {
    takenAt,
    readSeconds,
    services: join(services, health?.status() ?? []),
    totals,
    daemons,
    ...(vrrp === undefined ? {} : { vrrp: vrrp.status() }),
  };
}

/** Pairs the kernel's services and destinations with the checker's, by identity. */
function join(kernel: readonly Service[], health: readonly ServiceStatus[]): SnapshotService[] {
  const checked = new Map(health.map((status) => [status.service, status]));
  const out: SnapshotService[] = [];
  for (const service of kernel) {
    const id = serviceIdentity(service);
    const status = checked.get(id);
    checked.delete(id);
    out.push({
      id,
      kernel: service,
      health: status,
      destinations: joinDestinations(service, status),
    });
  }
  for (const status of checked.values()) {
    out.push({
      id: status.service,
      kernel: undefined,
      health: status,
      destinations: status.destinations.map((d) => ({
        id: d.destination,
        kernel: undefined,
        health: d,
      })),
    });
  }
  return out;
}

function joinDestinations(
  service: Service,
  status: ServiceStatus | undefined,
): SnapshotDestination[] {
  const checked = new Map(status?.destinations.map((d) => [d.destination, d]));
  const out: SnapshotDestination[] = [];
  for (const destination of service.destinations ?? []) {
    const id = destinationIdentity(destination.address, destination.port);
    out.push({ id, kernel: destination, health: checked.get(id) });
    checked.delete(id);
  }
  for (const d of checked.values()) out.push({ id: d.destination, kernel: undefined, health: d });
  return out;
}
