// The rules every contender applies: the same operations, rendered as library calls, ipvsadm
// arguments, `ipvsadm -R` lines and the floor's operation lines. TCP over IPv4, masquerading
// destinations (no route check), port 80 everywhere. A model of the table follows the operations
// so that each phase can be checked against what the kernel really holds.
import type { AddressServiceKey, DestinationSpec } from '../lib/index.js';

export type OpKind =
  'addService' | 'deleteService' | 'addDestination' | 'editDestination' | 'deleteDestination';

/** One write: service number, destination slot (for destination ops) and weight. */
export interface Op {
  kind: OpKind;
  service: number;
  slot: number;
  weight: number;
}

export const SCHEDULER = 'wlc';
export const PORT = 80;
/** Virtual services live in 10.0.0.0/10, real servers in 10.64.0.0/10 (10.64.0.1 is ours). */
export const INTERFACE_ADDRESS = '10.64.0.1/10';
const SERVICE_BASE = (10 << 24) >>> 0;
const DEST_BASE = ((10 << 24) | (64 << 16)) >>> 0;

function ipv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export const serviceAddress = (service: number): string => ipv4(SERVICE_BASE + 1 + service);
export const destAddress = (slot: number): string => ipv4(DEST_BASE + 2 + slot);

export function serviceKey(service: number): AddressServiceKey {
  return { protocol: 'tcp', address: serviceAddress(service), port: PORT };
}

export function destSpec(op: Op): DestinationSpec {
  return { address: destAddress(op.slot), port: PORT, forward: 'masq', weight: op.weight };
}

// ---- workloads ----

/** Scenario (a), first half: each service, then its destinations (as an orchestrator adds them). */
export function createOps(services: number, dests: number): Op[] {
  const ops: Op[] = [];
  for (let s = 0; s < services; s++) {
    ops.push({ kind: 'addService', service: s, slot: 0, weight: 0 });
    for (let d = 0; d < dests; d++)
      ops.push({ kind: 'addDestination', service: s, slot: d, weight: 1 });
  }
  return ops;
}

/** Scenario (a), second half: deleting a service deletes its destinations. */
export function deleteOps(services: number): Op[] {
  return Array.from({ length: services }, (_, s): Op => ({
    kind: 'deleteService',
    service: s,
    slot: 0,
    weight: 0,
  }));
}

/**
 * Scenario (b): churn round `round` (0-based, from the table createOps built): for every
 * service, re-weight its newest destination, add one, remove the oldest. The table keeps
 * `dests` destinations per service.
 */
export function churnOps(services: number, dests: number, round: number): Op[] {
  const ops: Op[] = [];
  for (let s = 0; s < services; s++) {
    ops.push({
      kind: 'editDestination',
      service: s,
      slot: round + dests - 1,
      weight: 2 + (round % 5),
    });
    ops.push({ kind: 'addDestination', service: s, slot: round + dests, weight: 1 });
    ops.push({ kind: 'deleteDestination', service: s, slot: round, weight: 0 });
  }
  return ops;
}

// ---- renderings ----

export function ipvsadmArgs(op: Op): string[] {
  const vip = ['-t', `${serviceAddress(op.service)}:${PORT}`];
  const rip = ['-r', `${destAddress(op.slot)}:${PORT}`];
  switch (op.kind) {
    case 'addService':
      return ['-A', ...vip, '-s', SCHEDULER];
    case 'deleteService':
      return ['-D', ...vip];
    case 'addDestination':
      return ['-a', ...vip, ...rip, '-m', '-w', String(op.weight)];
    case 'editDestination':
      return ['-e', ...vip, ...rip, '-m', '-w', String(op.weight)];
    case 'deleteDestination':
      return ['-d', ...vip, ...rip];
  }
}

/** What `ipvsadm -R` reads: the same commands, one a line. */
export function restoreText(ops: readonly Op[]): string {
  return ops.map((op) => `${ipvsadmArgs(op).join(' ')}\n`).join('');
}

/** IP_VS_CONN_F_MASQ, the forwarding method the floor sends. */
const FWD_MASQ = 0;

/** benchmarks/floor.c's operation lines. */
export function floorText(ops: readonly Op[]): string {
  return ops
    .map((op) => {
      const svc = `${serviceAddress(op.service)} ${PORT}`;
      const dst = `${destAddress(op.slot)} ${PORT}`;
      switch (op.kind) {
        case 'addService':
          return `ns ${svc} ${SCHEDULER}\n`;
        case 'deleteService':
          return `ds ${svc}\n`;
        case 'addDestination':
          return `nd ${svc} ${dst} ${FWD_MASQ} ${op.weight}\n`;
        case 'editDestination':
          return `sd ${svc} ${dst} ${FWD_MASQ} ${op.weight}\n`;
        case 'deleteDestination':
          return `dd ${svc} ${dst}\n`;
      }
    })
    .join('');
}

// ---- the expected table ----

export interface TableShape {
  services: number;
  dests: number;
  weightSum: number;
}

/** The table the operations leave, from `start` (services -> slot -> weight). */
export class TableModel {
  private readonly table = new Map<number, Map<number, number>>();

  apply(ops: readonly Op[]): this {
    for (const op of ops) {
      const service = this.table.get(op.service);
      if (op.kind === 'addService') this.table.set(op.service, new Map());
      else if (op.kind === 'deleteService') this.table.delete(op.service);
      else if (op.kind === 'deleteDestination') service?.delete(op.slot);
      else service?.set(op.slot, op.weight);
    }
    return this;
  }

  shape(): TableShape {
    let dests = 0;
    let weightSum = 0;
    for (const service of this.table.values()) {
      dests += service.size;
      for (const weight of service.values()) weightSum += weight;
    }
    return { services: this.table.size, dests, weightSum };
  }
}
