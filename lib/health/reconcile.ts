// Brings the kernel's table for the managed services to the desired one: reads each managed
// service back (whoever changed it: us, ipvsadm, another tool), plans with the library's one
// planner (lib/state/plan.ts), and sends the operations as one batch. The same path serves health
// changes, the periodic drift repair and reloads, so the kernel always converges on what the
// config and the checks say.
import type { BatchBuild, BatchResult } from '../core/batch.js';
import { IpvsError } from '../core/errors.js';
import { serviceIdentity } from '../model/identity.js';
import type { Destination, Service, ServiceKey, ServiceSpec } from '../model/types.js';
import { normalFromKernel } from '../state/current.js';
import { planService as planTableService, type Step } from '../state/plan.js';
import { normalService } from '../state/schema.js';
import { addInSlices, runInSlices, type SlicedWork } from '../state/slices.js';
import type { DesiredService } from './desired.js';

/** The part of Ipvs the checker uses, so that tests can give it a table of their own. */
export interface IpvsTable {
  listServices(): Promise<Service[]>;
  listDestinations(key: ServiceKey): Promise<Destination[]>;
  batch(build: BatchBuild): Promise<BatchResult[]>;
}

/**
 * The operations that turn `actual` (undefined: the service is missing) into `want`: the
 * planner's, with every destination the health state does not want removed.
 */
export function planService(want: DesiredService, actual: Service | undefined): Step[] {
  const desired = normalService(want.service.spec, want.destinations, want.service.path);
  const have = actual === undefined ? undefined : normalFromKernel(actual);
  return planTableService(desired, have, { pruneDestinations: true });
}

/** One service's read: the service with its destinations, undefined when gone, or the failure. */
type Read = { service: Service | undefined } | { error: unknown };

async function readDestinations(
  ipvs: IpvsTable,
  key: ServiceKey,
  listed: Service | undefined,
): Promise<Read> {
  if (!listed) return { service: undefined };
  try {
    return { service: { ...listed, destinations: await ipvs.listDestinations(key) } };
  } catch (error) {
    // Deleted between the two reads: missing, as far as this pass knows.
    if (error instanceof IpvsError && (error.code === 'ESRCH' || error.code === 'ENOENT'))
      return { service: undefined };
    return { error };
  }
}

/**
 * Indexes the listed services and asks for the destinations of those present, a slice of calls
 * per turn of the loop (see lib/state/slices.ts): the handle still sends the calls of a turn, and
 * those made while an exchange runs, together. A read's failure is held in its result, not left
 * unhandled across the turns.
 */
function* asking(
  ipvs: IpvsTable,
  keys: readonly ServiceKey[],
  listed: readonly Service[],
): SlicedWork<Array<Promise<Read>>> {
  const present = new Map<string, Service>();
  for (const service of listed) {
    present.set(serviceIdentity(service), service);
    yield 1;
  }
  const reads: Array<Promise<Read>> = [];
  for (const key of keys) {
    reads.push(readDestinations(ipvs, key, present.get(serviceIdentity(key))));
    yield 1;
  }
  return reads;
}

/**
 * The kernel's view of these services, each with its destinations (undefined: not in the
 * kernel). One dump lists the services; the destinations of those present are asked for in
 * slices of calls, which the handle gathers into few exchanges: n + 1 requests for n services,
 * whatever else the table holds. Rejects with the first failure (in the order of `keys`) once
 * every read has settled.
 */
export async function readServices(
  ipvs: IpvsTable,
  keys: readonly ServiceKey[],
): Promise<Array<Service | undefined>> {
  if (keys.length === 0) return [];
  const reads = await runInSlices(asking(ipvs, keys, await ipvs.listServices()));
  return (await Promise.all(reads)).map((read) => {
    if ('error' in read) throw read.error;
    return read.service;
  });
}

export interface RepairOutcome {
  repair: Step;
  result: BatchResult;
}

/** The repairs, a service at a time (see lib/state/slices.ts): retired services first. */
function* repairing(
  wanted: readonly DesiredService[],
  actual: ReadonlyArray<Service | undefined>,
  retired: readonly ServiceSpec[],
  gone: ReadonlyArray<Service | undefined>,
): SlicedWork<Step[]> {
  const repairs: Step[] = [];
  for (const [i, spec] of retired.entries()) {
    if (gone[i])
      repairs.push({ op: 'deleteService', service: spec, why: 'no longer in the config' });
    yield 1;
  }
  for (const [i, w] of wanted.entries()) {
    const have = actual[i];
    repairs.push(...planService(w, have));
    yield 1 + w.destinations.length + (have?.destinations?.length ?? 0);
  }
  return repairs;
}

/**
 * Reads the managed services back, plans, and applies everything as one batch. A big config is
 * planned, and its batch built, in slices with turns of the event loop between them.
 */
export async function reconcile(
  ipvs: IpvsTable,
  wanted: readonly DesiredService[],
  retired: readonly ServiceSpec[] = [],
): Promise<RepairOutcome[]> {
  const read = await readServices(ipvs, [...wanted.map((w) => w.service.spec), ...retired]);
  const actual = read.slice(0, wanted.length);
  const gone = read.slice(wanted.length);
  const repairs = await runInSlices(repairing(wanted, actual, retired, gone));
  if (repairs.length === 0) return [];
  const results = await ipvs.batch((batch) => addInSlices(batch, repairs));
  return repairs.map((repair, i) => ({
    repair,
    result: results[i] ?? { ok: true, op: repair.op, target: '' },
  }));
}
