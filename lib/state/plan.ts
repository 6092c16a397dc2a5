// The one planner: the smallest set of operations that turns the kernel's table (current) into
// the desired one. Edits where the kernel can edit in place (a service's scheduler, persistence,
// flags; a destination's method, weight, thresholds, tunnel), adds for what is missing, deletes
// only when asked. apply() and the health checker's reconcile both plan through here.
import type { Operation } from '../core/operation.js';
import { forwardName, netmaskText } from '../kernel/from-kernel.js';
import type { NativeDest, NativeService } from '../kernel/native.js';
import type { AddressServiceKey, ServiceKey, ServiceSpec } from '../model/types.js';
import type { NormalService } from './schema.js';
import { runAtOnce, runInSlices, type SlicedWork } from './slices.js';

type TableOperation = Extract<
  Operation,
  {
    op:
      | 'addService'
      | 'editService'
      | 'deleteService'
      | 'addDestination'
      | 'editDestination'
      | 'deleteDestination';
  }
>;

/** A planned operation and why it is needed: "missing", "weight 5 -> 0", "not wanted", ... */
export type Step = TableOperation & { why: string };

export interface PlanOptions {
  /** Also delete services, and destinations of desired services, that are not desired. */
  prune?: boolean;
}

export interface ServicePlanOptions {
  /** Delete the service's destinations that are not desired. */
  pruneDestinations?: boolean;
}

type Difference = [field: string, have: string | number, want: string | number];

function serviceDifferences(have: NativeService, want: NativeService): Difference[] {
  const diffs: Difference[] = [];
  const persistence = (s: NativeService): number => s.timeout ?? 0;
  if (have.scheduler !== want.scheduler) {
    diffs.push(['scheduler', have.scheduler ?? '', want.scheduler ?? '']);
  }
  if (persistence(have) !== persistence(want)) {
    diffs.push(['persistence', persistence(have), persistence(want)]);
  } else if (persistence(want) !== 0 && have.netmask !== want.netmask) {
    const mask = (s: NativeService): string | number => netmaskText(s.family, s.netmask ?? 0);
    diffs.push(['netmask', mask(have), mask(want)]);
  }
  if ((have.peName ?? '') !== (want.peName ?? '')) {
    diffs.push(['persistenceEngine', have.peName || 'none', want.peName || 'none']);
  }
  if ((have.flags ?? 0) !== (want.flags ?? 0)) {
    const hex = (s: NativeService): string => `0x${(s.flags ?? 0).toString(16)}`;
    diffs.push(['flags', hex(have), hex(want)]);
  }
  return diffs;
}

function destinationDifferences(have: NativeDest, want: NativeDest): Difference[] {
  const diffs: Difference[] = [];
  if (have.fwdMethod !== want.fwdMethod) {
    diffs.push(['forward', forwardName(have.fwdMethod ?? 0), forwardName(want.fwdMethod ?? 0)]);
  }
  for (const field of ['weight', 'upperThreshold', 'lowerThreshold'] as const) {
    if (have[field] !== want[field]) diffs.push([field, have[field] ?? 0, want[field] ?? 0]);
  }
  if (want.fwdMethod === have.fwdMethod && forwardName(want.fwdMethod ?? 0) === 'tunnel') {
    for (const [field, name] of [
      ['tunType', 'tunnel type'],
      ['tunPort', 'tunnel port'],
      ['tunFlags', 'tunnel flags'],
    ] as const) {
      if (have[field] !== want[field]) diffs.push([name, have[field] ?? 0, want[field] ?? 0]);
    }
  }
  return diffs;
}

function because(diffs: readonly Difference[]): string {
  return diffs.map(([field, have, want]) => `${field} ${have} -> ${want}`).join(', ');
}

/** The key of a service spec: what deletes and destination operations name it by. */
export function keyOf(spec: ServiceSpec): ServiceKey {
  if ('fwmark' in spec) {
    return { fwmark: spec.fwmark, ...(spec.family ? { family: spec.family } : {}) };
  }
  const { protocol, address, port } = spec as AddressServiceKey;
  return { protocol, address, port };
}

/**
 * The operations that turn `have` (undefined: the service is missing) into `want`. Additions come
 * first and deletions last, so that a service never holds fewer servers on the way than at
 * either end (a sorry server is in before the real servers leave).
 */
export function planService(
  want: NormalService,
  have: NormalService | undefined,
  options: ServicePlanOptions = {},
): Step[] {
  const service = keyOf(want.spec);
  if (!have) {
    return [
      { op: 'addService', service: want.spec, why: 'missing' },
      ...want.destinations.map((d): Step => ({
        op: 'addDestination',
        service,
        destination: d.spec,
        why: 'missing',
      })),
    ];
  }
  const adds: Step[] = [];
  const edits: Step[] = [];
  const deletes: Step[] = [];
  const serviceDiffs = serviceDifferences(have.native, want.native);
  if (serviceDiffs.length > 0) {
    edits.push({ op: 'editService', service: want.spec, why: because(serviceDiffs) });
  }
  const haveDests = new Map(have.destinations.map((d) => [d.key, d]));
  for (const d of want.destinations) {
    const existing = haveDests.get(d.key);
    haveDests.delete(d.key);
    if (!existing) {
      adds.push({ op: 'addDestination', service, destination: d.spec, why: 'missing' });
      continue;
    }
    const diffs = destinationDifferences(existing.native, d.native);
    if (diffs.length > 0) {
      edits.push({ op: 'editDestination', service, destination: d.spec, why: because(diffs) });
    }
  }
  if (options.pruneDestinations) {
    for (const extra of haveDests.values()) {
      const destination = { address: extra.native.address, port: extra.native.port };
      deletes.push({ op: 'deleteDestination', service, destination, why: 'not wanted' });
    }
  }
  return [...adds, ...edits, ...deletes];
}

/** The plan for a whole table, a service at a time (see slices.ts). */
function* planning(
  current: readonly NormalService[],
  desired: readonly NormalService[],
  options: PlanOptions,
): SlicedWork<Step[]> {
  const currentByKey = new Map<string, NormalService>();
  for (const have of current) {
    currentByKey.set(have.key, have);
    yield 1;
  }
  const steps: Step[] = [];
  const pruneDestinations = options.prune === true;
  for (const want of desired) {
    steps.push(...planService(want, currentByKey.get(want.key), { pruneDestinations }));
    currentByKey.delete(want.key);
    yield 1 + want.destinations.length;
  }
  if (options.prune) {
    for (const stray of currentByKey.values()) {
      steps.push({ op: 'deleteService', service: keyOf(stray.spec), why: 'not wanted' });
      yield 1;
    }
  }
  return steps;
}

/**
 * The plan for a whole table: each desired service in order, then (with prune) the deletion of
 * the services that are not desired.
 */
export function plan(
  current: readonly NormalService[],
  desired: readonly NormalService[],
  options: PlanOptions = {},
): Step[] {
  return runAtOnce(planning(current, desired, options));
}

/** plan() with a turn of the event loop after every ROWS_PER_TURN services and destinations. */
export function planInSlices(
  current: readonly NormalService[],
  desired: readonly NormalService[],
  options: PlanOptions = {},
): Promise<Step[]> {
  return runInSlices(planning(current, desired, options));
}
