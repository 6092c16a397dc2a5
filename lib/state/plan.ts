// The minimal change from the current table to the desired one: edits where the kernel can edit
// in place (a service's scheduler, persistence, flags; a destination's method, weight,
// thresholds, tunnel), adds for what is missing, and deletes only with prune.
import type { NativeDest, NativeService } from '../kernel/native.js';
import type {
  AddressServiceKey,
  DestinationKey,
  DestinationSpec,
  ServiceKey,
  ServiceSpec,
} from '../model/types.js';
import type { NormalService } from './schema.js';

export type Step =
  | { op: 'addService' | 'editService'; service: ServiceSpec }
  | { op: 'deleteService'; service: ServiceKey }
  | { op: 'addDestination' | 'editDestination'; service: ServiceKey; destination: DestinationSpec }
  | { op: 'deleteDestination'; service: ServiceKey; destination: DestinationKey };

export interface PlanOptions {
  /** Also delete services, and destinations of desired services, that are not desired. */
  prune?: boolean;
}

function sameService(a: NativeService, b: NativeService): boolean {
  return (
    a.scheduler === b.scheduler &&
    (a.peName ?? '') === (b.peName ?? '') &&
    (a.flags ?? 0) === (b.flags ?? 0) &&
    (a.timeout ?? 0) === (b.timeout ?? 0) &&
    ((a.timeout ?? 0) === 0 || a.netmask === b.netmask)
  );
}

function sameDestination(a: NativeDest, b: NativeDest): boolean {
  const tunnel =
    a.fwdMethod === 2
      ? a.tunType === b.tunType && a.tunPort === b.tunPort && a.tunFlags === b.tunFlags
      : true;
  return (
    a.fwdMethod === b.fwdMethod &&
    a.weight === b.weight &&
    a.upperThreshold === b.upperThreshold &&
    a.lowerThreshold === b.lowerThreshold &&
    tunnel
  );
}

export function keyOf(spec: ServiceSpec): ServiceKey {
  if ('fwmark' in spec)
    return { fwmark: spec.fwmark, ...(spec.family ? { family: spec.family } : {}) };
  const { protocol, address, port } = spec as AddressServiceKey;
  return { protocol, address, port };
}

export function plan(
  current: readonly NormalService[],
  desired: readonly NormalService[],
  options: PlanOptions = {},
): Step[] {
  const deletes: Step[] = [];
  const changes: Step[] = [];
  const currentByKey = new Map(current.map((s) => [s.key, s]));
  const desiredKeys = new Set(desired.map((s) => s.key));
  if (options.prune) {
    for (const s of current)
      if (!desiredKeys.has(s.key)) deletes.push({ op: 'deleteService', service: keyOf(s.spec) });
  }
  for (const want of desired) {
    const have = currentByKey.get(want.key);
    const service = keyOf(want.spec);
    if (!have) {
      changes.push({ op: 'addService', service: want.spec });
      for (const d of want.destinations)
        changes.push({ op: 'addDestination', service, destination: d.spec });
      continue;
    }
    if (!sameService(have.native, want.native))
      changes.push({ op: 'editService', service: want.spec });
    const haveDests = new Map(have.destinations.map((d) => [d.key, d]));
    const wantKeys = new Set(want.destinations.map((d) => d.key));
    if (options.prune) {
      for (const d of have.destinations) {
        if (!wantKeys.has(d.key))
          deletes.push({
            op: 'deleteDestination',
            service,
            destination: { address: d.native.address, port: d.native.port },
          });
      }
    }
    for (const d of want.destinations) {
      const existing = haveDests.get(d.key);
      if (!existing) changes.push({ op: 'addDestination', service, destination: d.spec });
      else if (!sameDestination(existing.native, d.native))
        changes.push({ op: 'editDestination', service, destination: d.spec });
    }
  }
  return [...deletes, ...changes];
}
