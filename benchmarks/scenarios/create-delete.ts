// Scenario (a): create S services with D destinations each, then delete them, by every
// contender in turn, repetition by repetition (so that noise spreads over all of them). The
// event loop's delay is monitored while the library's contenders run (scenario d).
import { runFloor } from '../contenders/floor.js';
import { runPerOperation, runRestore } from '../contenders/ipvsadm.js';
import { NATIVE_MODES, prepare, runNative, type NativeMode } from '../contenders/native.js';
import { loopMonitor, median, progress } from '../measure.js';
import { CONTENDERS, type LoopHealth } from '../results.js';
import { expectTable } from '../verify.js';
import { createOps, deleteOps, TableModel, type Op } from '../workload.js';
import type { Context } from './context.js';

type Phase = 'create' | 'delete';
const EMPTY = { services: 0, dests: 0, weightSum: 0 };

async function phases(
  ctx: Context,
  contender: string,
  run: (ops: readonly Op[], phase: Phase) => Promise<{ seconds: number; perSendmsg?: number }>,
): Promise<void> {
  const { services, dests } = ctx.options;
  await ctx.fresh();
  const create = createOps(services, dests);
  const created = await run(create, 'create');
  expectTable(new TableModel().apply(create).shape(), `${contender}, create`);
  const extra = (perSendmsg?: number) =>
    perSendmsg === undefined ? {} : { messagesPerSendmsg: perSendmsg };
  ctx.record('create', contender, create.length, created.seconds, extra(created.perSendmsg));
  const remove = deleteOps(services);
  const deleted = await run(remove, 'delete');
  expectTable(EMPTY, `${contender}, delete`);
  ctx.record('delete', contender, remove.length, deleted.seconds, extra(deleted.perSendmsg));
}

/** ipvsadm per operation, on a sample: the first operations of each phase. */
async function perOperation(ctx: Context): Promise<void> {
  const { services, dests, perOpSample } = ctx.options;
  await ctx.fresh();
  const create = createOps(services, dests).slice(0, perOpSample);
  ctx.record('create', CONTENDERS.perOp, create.length, runPerOperation(create), { sampled: true });
  expectTable(new TableModel().apply(create).shape(), 'ipvsadm per op, create');
  await ctx.reset();
  const all = createOps(services, dests);
  await prepare(ctx.ipvs, all);
  const remove = deleteOps(services).slice(0, perOpSample);
  ctx.record('delete', CONTENDERS.perOp, remove.length, runPerOperation(remove), { sampled: true });
  expectTable(new TableModel().apply(all).apply(remove).shape(), 'ipvsadm per op, delete');
  await ctx.reset();
}

export async function createDelete(ctx: Context): Promise<LoopHealth[]> {
  // One monitor per timed run (a monitor disabled between runs would count the pause as one
  // delay when enabled again); reported: the median p50, the worst p99 and max of the runs.
  const runs = new Map<NativeMode, LoopHealth[]>(NATIVE_MODES.map((mode) => [mode, []]));
  const { reps, floorBatch } = ctx.options;
  for (let rep = 1; rep <= reps; rep++) {
    progress(`create/delete, repetition ${rep} of ${reps}`);
    await phases(ctx, CONTENDERS.floor, (ops) => {
      const r = runFloor(ops, floorBatch);
      return Promise.resolve({ seconds: r.seconds, perSendmsg: r.messages / r.sendmsgCalls });
    });
    await phases(ctx, CONTENDERS.floorSingle, (ops) => {
      const r = runFloor(ops, 1);
      return Promise.resolve({ seconds: r.seconds, perSendmsg: r.messages / r.sendmsgCalls });
    });
    for (const mode of NATIVE_MODES) {
      await phases(ctx, CONTENDERS[mode], async (ops) => {
        const monitor = await loopMonitor();
        try {
          const r = await runNative(ctx.ipvs, ops, mode);
          return { seconds: r.seconds, perSendmsg: r.messages / r.sendmsgCalls };
        } finally {
          const loop = await monitor.stop();
          runs.get(mode)?.push({ contender: CONTENDERS[mode], ...loop });
        }
      });
    }
    await phases(ctx, CONTENDERS.restore, (ops) => Promise.resolve({ seconds: runRestore(ops) }));
    await perOperation(ctx);
  }
  return NATIVE_MODES.map((mode): LoopHealth => {
    const list = runs.get(mode) ?? [];
    return {
      contender: CONTENDERS[mode],
      p50Ms: median(list.map((l) => l.p50Ms)),
      p99Ms: Math.max(...list.map((l) => l.p99Ms)),
      maxMs: Math.max(...list.map((l) => l.maxMs)),
      samples: list.reduce((n, l) => n + l.samples, 0),
    };
  });
}
