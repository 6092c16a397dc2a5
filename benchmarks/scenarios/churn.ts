// Scenario (b): with S services of D destinations in place, rounds of re-weighting, adding and
// removing destinations, as an orchestrator does when endpoints change. Each contender applies
// a round as one unit (one batch, one Promise.all, one ipvsadm -R process, one floor run) on a
// freshly built table; only the rounds are timed.
import { runFloor } from '../contenders/floor.js';
import { runPerOperation, runRestore } from '../contenders/ipvsadm.js';
import { NATIVE_MODES, prepare, runNative } from '../contenders/native.js';
import { progress } from '../measure.js';
import { CONTENDERS } from '../results.js';
import { expectTable } from '../verify.js';
import { churnOps, createOps, TableModel, type Op } from '../workload.js';
import type { Context } from './context.js';

interface RoundResult {
  seconds: number;
  messages?: number;
  sendmsgCalls?: number;
}

async function rounds(
  ctx: Context,
  contender: string,
  run: (ops: readonly Op[]) => Promise<RoundResult>,
): Promise<void> {
  const { services, dests, rounds: count } = ctx.options;
  await ctx.fresh();
  const create = createOps(services, dests);
  await prepare(ctx.ipvs, create);
  const model = new TableModel().apply(create);
  let seconds = 0;
  let messages = 0;
  let sendmsgCalls = 0;
  let ops = 0;
  for (let round = 0; round < count; round++) {
    const churn = churnOps(services, dests, round);
    const r = await run(churn);
    seconds += r.seconds;
    messages += r.messages ?? 0;
    sendmsgCalls += r.sendmsgCalls ?? 0;
    ops += churn.length;
    model.apply(churn);
  }
  expectTable(model.shape(), `${contender}, churn`);
  ctx.record(
    'churn',
    contender,
    ops,
    seconds,
    sendmsgCalls > 0 ? { messagesPerSendmsg: messages / sendmsgCalls } : {},
  );
  await ctx.reset();
}

export async function churn(ctx: Context): Promise<void> {
  const { reps, floorBatch, services, dests, perOpSample } = ctx.options;
  for (let rep = 1; rep <= reps; rep++) {
    progress(`churn, repetition ${rep} of ${reps}`);
    for (const [contender, perSendmsg] of [
      [CONTENDERS.floor, floorBatch],
      [CONTENDERS.floorSingle, 1],
    ] as const) {
      await rounds(ctx, contender, (ops) => Promise.resolve(runFloor(ops, perSendmsg)));
    }
    for (const mode of NATIVE_MODES)
      await rounds(ctx, CONTENDERS[mode], (ops) => runNative(ctx.ipvs, ops, mode));
    await rounds(ctx, CONTENDERS.restore, (ops) => Promise.resolve({ seconds: runRestore(ops) }));

    await ctx.fresh();
    const create = createOps(services, dests);
    await prepare(ctx.ipvs, create);
    const sample = churnOps(services, dests, 0).slice(0, perOpSample);
    ctx.record('churn', CONTENDERS.perOp, sample.length, runPerOperation(sample), {
      sampled: true,
    });
    expectTable(new TableModel().apply(create).apply(sample).shape(), 'ipvsadm per op, churn');
    await ctx.reset();
  }
}
