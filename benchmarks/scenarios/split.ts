// Scenario (f): where the time of a batched create, a delete and a listing goes, in this kernel,
// phase by phase: building and validating the batch (JS), packing it (JS), the exchange (the
// addon's execute(): unpacking, encoding, the kernel's work, decoding, the replies handed to JS),
// and the rest of batch() (results) or of listServices (rows and services). The floor runs the
// same messages in the same fresh namespace state, so its time is the kernel's share.
import { performance } from 'node:perf_hooks';
import { Batch } from '../../lib/index.js';
import { loadNative } from '../../lib/kernel/binding.js';
import { destRows, serviceRows } from '../../lib/kernel/reply-tables.js';
import { destinationFromKernel, serviceFromKernel } from '../../lib/kernel/from-kernel.js';
import { destinationDumpRequest } from '../../lib/kernel/dump-requests.js';
import { packRequests, type RequestRecords } from '../../lib/kernel/request-records.js';
import type { NativeReply } from '../../lib/kernel/native.js';
import { runFloor, runListFloor } from '../contenders/floor.js';
import { addOp, prepare } from '../contenders/native.js';
import { progress, timed } from '../measure.js';
import { createOps, deleteOps, type Op } from '../workload.js';
import type { Context } from './context.js';

export interface SplitRow {
  what: string;
  ops: number;
  /** Phase name -> seconds, in order; `whole` is the public call timed on its own. */
  seconds: Record<string, number>;
}

const ms = () => performance.now();

/** Building the batch: validating each operation and writing its record. */
function recordsOf(ops: readonly Op[]): { build: number; records: RequestRecords } {
  const start = ms();
  const b = new Batch();
  for (const op of ops) addOp(b, op);
  const build = (ms() - start) / 1000;
  return { build, records: b.records };
}

async function exchange(records: RequestRecords): Promise<Record<string, number>> {
  const native = loadNative();
  const client = await native.open('/proc/self/ns/net');
  try {
    const t0 = ms();
    const replies: NativeReply[] = await client.execute(
      records.bytes(0, records.count),
      records.count,
      120_000,
    );
    const t1 = ms();
    const failed = replies.filter((r) => r !== 0 && r.error !== 0).length;
    if (failed > 0) throw new Error(`split: ${failed} of ${records.count} requests failed`);
    return { execute: (t1 - t0) / 1000 };
  } finally {
    client.close();
  }
}

async function writes(ctx: Context, what: string, setUp: Op[], ops: Op[]): Promise<SplitRow[]> {
  const rows: SplitRow[] = [];
  // The floor.
  await ctx.fresh();
  if (setUp.length) await prepare(ctx.ipvs, setUp);
  const floor = runFloor(ops, ctx.options.floorBatch).seconds;
  // The phases, one by one, on the raw client.
  await ctx.fresh();
  if (setUp.length) await prepare(ctx.ipvs, setUp);
  const { build, records } = recordsOf(ops);
  const phases = await exchange(records);
  // The public call, whole.
  await ctx.fresh();
  if (setUp.length) await prepare(ctx.ipvs, setUp);
  const whole = await timed(() =>
    ctx.ipvs.batch((b) => {
      for (const op of ops) addOp(b, op);
    }),
  );
  rows.push({
    what,
    ops: ops.length,
    seconds: { floor, build, ...phases, whole: whole.seconds },
  });
  return rows;
}

async function listing(ctx: Context, services: number): Promise<SplitRow> {
  const { dests } = ctx.options;
  await ctx.fresh();
  await prepare(ctx.ipvs, createOps(services, dests));
  const floor = runListFloor().seconds;
  const native = loadNative();
  const { commands } = native.constants;
  const client = await native.open('/proc/self/ns/net');
  let t = ms();
  const [serviceReply] = await client.execute(
    packRequests([{ command: commands.getServices }]),
    1,
    120_000,
  );
  const dumpServices = (ms() - t) / 1000;
  if (serviceReply === undefined || serviceReply === 0 || !serviceReply.services)
    throw new Error('split: no services');
  t = ms();
  const natives = serviceRows(serviceReply.services);
  const list = natives.map(serviceFromKernel);
  const serviceRowsSeconds = (ms() - t) / 1000;
  t = ms();
  const requests = natives.map(destinationDumpRequest);
  const packed = packRequests(requests);
  const pack = (ms() - t) / 1000;
  t = ms();
  // The phases one after the other, all dumps in one exchange; listServices() itself overlaps
  // the dumps with the rows (lib/core/listing.ts), so its whole is less than their sum.
  const dumps = await client.dumpDestinations(packed, requests.length, 120_000);
  const dumpDests = (ms() - t) / 1000;
  t = ms();
  const rows = destRows(dumps.dests);
  list.forEach((service, i) => {
    const from = i === 0 ? 0 : (dumps.ends[i - 1] ?? 0);
    service.destinations = rows.slice(from, dumps.ends[i]).map(destinationFromKernel);
  });
  const destRowsSeconds = (ms() - t) / 1000;
  client.close();
  const whole = await timed(() => ctx.ipvs.listServices({ destinations: true }));
  return {
    what: 'list',
    ops: services * (1 + dests),
    seconds: {
      floor,
      'dump services': dumpServices,
      'service rows': serviceRowsSeconds,
      pack,
      'dump destinations': dumpDests,
      'destination rows': destRowsSeconds,
      whole: whole.seconds,
    },
  };
}

async function phases(ctx: Context, services: number): Promise<SplitRow[]> {
  const create = createOps(services, ctx.options.dests);
  progress(`split: create (${services} services)`);
  const rows = await writes(ctx, 'create', [], create);
  progress(`split: delete (${services} services)`);
  rows.push(...(await writes(ctx, 'delete', create, deleteOps(services))));
  progress(`split: list (${services} services)`);
  rows.push(await listing(ctx, services));
  await ctx.reset();
  return rows;
}

export async function split(ctx: Context): Promise<SplitRow[]> {
  // Once small and untimed, so that every phase's code is compiled before it is timed.
  await phases(ctx, Math.min(ctx.options.services, 300));
  return phases(ctx, ctx.options.services);
}

export function splitTable(rows: readonly SplitRow[]): string {
  return rows
    .map((r) => {
      const parts = Object.entries(r.seconds).map(
        ([name, s]) => `${name} ${(s * 1000).toFixed(0)} ms`,
      );
      return `split ${r.what} (${r.ops} ops): ${parts.join(', ')}`;
    })
    .join('\n');
}
