// Brings the kernel's table for the managed services to the desired one: reads each managed
// service back (whoever changed it: us, ipvsadm, another tool), works out the smallest set of
// operations, and sends them as one batch. The same path serves health changes, the periodic
// drift repair and reloads, so the kernel always converges on what the config and the checks say.
import { IpvsError } from '../core/errors.js';
import type { Batch, BatchResult } from '../core/batch.js';
import type {
  Destination,
  DestinationSpec,
  Service,
  ServiceKey,
  ServiceSpec,
} from '../model/types.js';
import { canonicalAddress } from './config-fields.js';
import type { DesiredService } from './desired.js';
import type { DestinationState } from './types.js';

/** The part of Ipvs the checker uses, so that tests can give it a table of their own. */
export interface IpvsTable {
  listServices(): Promise<Service[]>;
  listDestinations(key: ServiceKey): Promise<Destination[]>;
  batch(build: (batch: Batch) => void): Promise<BatchResult[]>;
}

export type Repair =
  | { op: 'addService'; spec: ServiceSpec; why: string }
  | { op: 'editService'; spec: ServiceSpec; why: string }
  | { op: 'deleteService'; key: ServiceKey; why: string }
  | { op: 'addDestination'; service: ServiceKey; dest: DestinationSpec; why: string }
  | { op: 'editDestination'; service: ServiceKey; dest: DestinationSpec; why: string }
  | {
      op: 'deleteDestination';
      service: ServiceKey;
      dest: { address: string; port: number };
      why: string;
    };

function destinationId(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function toSpec(d: DestinationState): DestinationSpec {
  const spec: DestinationSpec = {
    address: d.address,
    port: d.port,
    forward: d.forward,
    weight: d.weight,
    upperThreshold: d.upperThreshold,
    lowerThreshold: d.lowerThreshold,
  };
  if (d.tunnel) spec.tunnel = d.tunnel;
  return spec;
}

/** What differs between the kernel's destination and the wanted one, or '' when nothing does. */
function destinationDrift(have: Destination, want: DestinationState): string {
  const diffs: string[] = [];
  if (have.weight !== want.weight) diffs.push(`weight ${have.weight} -> ${want.weight}`);
  if (have.forward !== want.forward) diffs.push(`forward ${have.forward} -> ${want.forward}`);
  if (have.upperThreshold !== want.upperThreshold)
    diffs.push(`upperThreshold ${have.upperThreshold} -> ${want.upperThreshold}`);
  if (have.lowerThreshold !== want.lowerThreshold)
    diffs.push(`lowerThreshold ${have.lowerThreshold} -> ${want.lowerThreshold}`);
  return diffs.join(', ');
}

/**
 * The operations that turn `actual` (undefined: the service is missing) into `want`. Additions
 * come first and deletions last, so that a sorry server is in before the real servers leave.
 */
export function planService(want: DesiredService, actual: Service | undefined): Repair[] {
  const key = want.service.spec;
  if (!actual) {
    return [
      { op: 'addService', spec: key, why: 'missing' },
      ...want.destinations.map((d): Repair => ({
        op: 'addDestination',
        service: key,
        dest: toSpec(d),
        why: 'missing',
      })),
    ];
  }
  const adds: Repair[] = [];
  const edits: Repair[] = [];
  const deletes: Repair[] = [];
  if (actual.scheduler !== want.service.scheduler) {
    edits.push({
      op: 'editService',
      spec: key,
      why: `scheduler ${actual.scheduler} -> ${want.service.scheduler}`,
    });
  }
  const have = new Map(
    (actual.destinations ?? []).map((d) => [destinationId(canonicalAddress(d.address), d.port), d]),
  );
  for (const d of want.destinations) {
    const id = destinationId(d.address, d.port);
    const current = have.get(id);
    have.delete(id);
    if (!current)
      adds.push({ op: 'addDestination', service: key, dest: toSpec(d), why: 'missing' });
    else {
      const drift = destinationDrift(current, d);
      if (drift) edits.push({ op: 'editDestination', service: key, dest: toSpec(d), why: drift });
    }
  }
  for (const extra of have.values()) {
    deletes.push({
      op: 'deleteDestination',
      service: key,
      dest: { address: extra.address, port: extra.port },
      why: 'not wanted',
    });
  }
  return [...adds, ...edits, ...deletes];
}

function addRepair(batch: Batch, repair: Repair): void {
  switch (repair.op) {
    case 'addService':
      batch.addService(repair.spec);
      return;
    case 'editService':
      batch.editService(repair.spec);
      return;
    case 'deleteService':
      batch.deleteService(repair.key);
      return;
    case 'addDestination':
      batch.addDestination(repair.service, repair.dest);
      return;
    case 'editDestination':
      batch.editDestination(repair.service, repair.dest);
      return;
    case 'deleteDestination':
      batch.deleteDestination(repair.service, repair.dest);
      return;
  }
}

/** One string per service key, the same for a config's key and the kernel's report of it. */
export function serviceIdentity(key: ServiceKey | Service): string {
  if ('fwmark' in key && key.fwmark !== undefined)
    return `fwmark ${key.fwmark} ${key.family ?? 'ipv4'}`;
  const { protocol, address, port } = key;
  return `${protocol} ${canonicalAddress(address)} ${port}`;
}

/**
 * The kernel's view of these services, each with its destinations (undefined: not in the
 * kernel). One dump lists the services; the destinations of those present are asked for all at
 * once, which the handle sends together: n + 1 requests for n services, whatever else the table holds.
 */
export async function readServices(
  ipvs: IpvsTable,
  keys: readonly ServiceKey[],
): Promise<Array<Service | undefined>> {
  if (keys.length === 0) return [];
  const present = new Map((await ipvs.listServices()).map((s) => [serviceIdentity(s), s]));
  return Promise.all(
    keys.map(async (key) => {
      const service = present.get(serviceIdentity(key));
      if (!service) return undefined;
      try {
        return { ...service, destinations: await ipvs.listDestinations(key) };
      } catch (error) {
        // Deleted between the two reads: missing, as far as this pass knows.
        if (error instanceof IpvsError && (error.code === 'ESRCH' || error.code === 'ENOENT'))
          return undefined;
        throw error;
      }
    }),
  );
}

export interface RepairOutcome {
  repair: Repair;
  result: BatchResult;
}

/** Reads the managed services back, plans, and applies everything as one batch. */
export async function reconcile(
  ipvs: IpvsTable,
  wanted: readonly DesiredService[],
  retired: readonly ServiceSpec[] = [],
): Promise<RepairOutcome[]> {
  const read = await readServices(ipvs, [...wanted.map((w) => w.service.spec), ...retired]);
  const actual = read.slice(0, wanted.length);
  const gone = read.slice(wanted.length);
  const repairs: Repair[] = [];
  retired.forEach((spec, i) => {
    if (gone[i]) repairs.push({ op: 'deleteService', key: spec, why: 'no longer in the config' });
  });
  wanted.forEach((w, i) => repairs.push(...planService(w, actual[i])));
  if (repairs.length === 0) return [];
  const results = await ipvs.batch((batch) => {
    for (const repair of repairs) addRepair(batch, repair);
  });
  return repairs.map((repair, i) => ({
    repair,
    result: results[i] ?? { ok: true, op: repair.op, target: '' },
  }));
}
