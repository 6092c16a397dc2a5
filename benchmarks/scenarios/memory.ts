// Scenario (d), second half: RSS before and after a million operations (--rss-ops), churn
// rounds alternating batch() and coalesced single calls on a table of S x D. RSS is read after
// a full garbage collection when the bench runs with --expose-gc (npm run bench does).
import { prepare, runNative } from '../contenders/native.js';
import { progress } from '../measure.js';
import type { RssCheck } from '../results.js';
import { expectTable } from '../verify.js';
import { churnOps, createOps, TableModel } from '../workload.js';
import type { Context } from './context.js';

const MiB = 1024 * 1024;

function settledMemory(): { rssMiB: number; heapMiB: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return { rssMiB: m.rss / MiB, heapMiB: m.heapUsed / MiB };
}

export async function memory(ctx: Context): Promise<RssCheck> {
  const { services, dests, rssOps } = ctx.options;
  await ctx.fresh();
  const create = createOps(services, dests);
  await prepare(ctx.ipvs, create);
  const model = new TableModel().apply(create);
  // One round first, so that warm-up allocations (JIT, buffers) are not counted as growth.
  const warm = churnOps(services, dests, 0);
  await runNative(ctx.ipvs, warm, 'batched');
  model.apply(warm);
  const before = settledMemory();
  const trace = [{ ops: 0, rssMiB: before.rssMiB }];
  const every = Math.max(1, Math.floor(rssOps / 10));
  let nextSample = every;
  let ops = 0;
  let seconds = 0;
  let rssMax = before.rssMiB;
  for (let round = 1; ops < rssOps; round++) {
    const churn = churnOps(services, dests, round).slice(0, rssOps - ops);
    const r = await runNative(ctx.ipvs, churn, round % 2 ? 'batched' : 'coalesced');
    seconds += r.seconds;
    ops += churn.length;
    model.apply(churn);
    rssMax = Math.max(rssMax, process.memoryUsage().rss / MiB);
    if (ops >= nextSample || ops >= rssOps) {
      trace.push({ ops, rssMiB: settledMemory().rssMiB });
      nextSample += every;
      progress(
        `memory: ${ops.toLocaleString('en-US')} of ${rssOps.toLocaleString('en-US')} operations`,
      );
    }
  }
  expectTable(model.shape(), 'memory churn');
  const after = settledMemory();
  await ctx.reset();
  return {
    ops,
    seconds,
    rssBeforeMiB: before.rssMiB,
    rssAfterMiB: after.rssMiB,
    rssMaxMiB: rssMax,
    heapBeforeMiB: before.heapMiB,
    heapAfterMiB: after.heapMiB,
    trace,
  };
}
