// ipvs-native three ways over the same operations: one batch() (chunked by the library, many
// messages per sendmsg), Promise.all of single calls made in one tick (coalesced by the library
// into the same kind of exchange), and single calls awaited one at a time (one message per
// sendmsg). Every operation must succeed: the first failure ends the bench.
import type { Batch, BatchResult, Ipvs } from '../../lib/index.js';
import { timed } from '../measure.js';
import { destAddress, destSpec, PORT, serviceKey, SCHEDULER, type Op } from '../workload.js';

const destKey = (op: Op) => ({ address: destAddress(op.slot), port: PORT });

export type NativeMode = 'batched' | 'coalesced' | 'awaited';
export const NATIVE_MODES: readonly NativeMode[] = ['batched', 'coalesced', 'awaited'];

export interface NativeRun {
  seconds: number;
  sendmsgCalls: number;
  messages: number;
}

/** One operation as a single call. */
export function callOp(ipvs: Ipvs, op: Op): Promise<void> {
  const key = serviceKey(op.service);
  switch (op.kind) {
    case 'addService':
      return ipvs.addService({ ...key, scheduler: SCHEDULER });
    case 'deleteService':
      return ipvs.deleteService(key);
    case 'addDestination':
      return ipvs.addDestination(key, destSpec(op));
    case 'editDestination':
      return ipvs.editDestination(key, destSpec(op));
    case 'deleteDestination':
      return ipvs.deleteDestination(key, destKey(op));
  }
}

/** One operation added to a batch. */
export function addOp(b: Batch, op: Op): void {
  const key = serviceKey(op.service);
  switch (op.kind) {
    case 'addService':
      b.addService({ ...key, scheduler: SCHEDULER });
      return;
    case 'deleteService':
      b.deleteService(key);
      return;
    case 'addDestination':
      b.addDestination(key, destSpec(op));
      return;
    case 'editDestination':
      b.editDestination(key, destSpec(op));
      return;
    case 'deleteDestination':
      b.deleteDestination(key, destKey(op));
      return;
  }
}

async function apply(ipvs: Ipvs, ops: readonly Op[], mode: NativeMode): Promise<void> {
  if (mode === 'batched') {
    const results = await ipvs.batch((b) => {
      for (const op of ops) addOp(b, op);
    });
    const failed = results.filter((r): r is Extract<BatchResult, { ok: false }> => !r.ok);
    const first = failed[0];
    if (first)
      throw new Error(
        `batch: ${failed.length} of ${ops.length} operations failed, first: ${first.error.message}`,
      );
    if (results.length !== ops.length)
      throw new Error(`batch: ${results.length} results for ${ops.length} operations`);
  } else if (mode === 'coalesced') {
    await Promise.all(ops.map((op) => callOp(ipvs, op)));
  } else {
    for (const op of ops) await callOp(ipvs, op);
  }
}

/** Applies `ops` and times it, with the socket traffic it took. Validation and encoding included. */
export async function runNative(
  ipvs: Ipvs,
  ops: readonly Op[],
  mode: NativeMode,
): Promise<NativeRun> {
  const before = ipvs.transportCounters();
  const { seconds } = await timed(() => apply(ipvs, ops, mode));
  const after = ipvs.transportCounters();
  return {
    seconds,
    sendmsgCalls: after.sendmsgCalls - before.sendmsgCalls,
    messages: after.messagesSent - before.messagesSent,
  };
}

/** Untimed set-up: the same operations, batched. */
export async function prepare(ipvs: Ipvs, ops: readonly Op[]): Promise<void> {
  await apply(ipvs, ops, 'batched');
}
