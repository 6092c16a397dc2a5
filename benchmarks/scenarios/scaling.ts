// Scenario (g): how cost grows with the table. For each size N (services, D destinations each):
// create them in one batch(), list them with destinations and stats, a no-op apply() of the same
// state (one dump, a plan of nothing), and an apply() that changes one destination's weight.
// Reported per service: a flat curve means linear cost; a quadratic step (planning, sorting,
// identity maps) shows as time per service that grows with N. The event loop's delay is monitored
// during the create and the listing (issue 13: p99 < 10 ms while a 100,000-operation batch is
// built, sent and answered, and while a 10,000-service table is listed).
import type { DesiredState } from '../../lib/index.js';
import { addOp } from '../contenders/native.js';
import { loopMonitor, progress, timed, type LoopDelay } from '../measure.js';
import { expectTable } from '../verify.js';
import { createOps, destAddress, PORT, SCHEDULER, serviceKey } from '../workload.js';
import type { Context } from './context.js';

export interface ScalingRow {
  services: number;
  dests: number;
  /** Step name -> seconds for the whole table. */
  seconds: Record<'create' | 'list' | 'apply no-op' | 'apply one change', number>;
  /** The event loop's delay during the create and the listing (1 ms resolution). */
  loop?: Record<'create' | 'list', LoopDelay>;
}

/** Runs `work` with the event loop's delay monitored. */
async function monitored<T>(work: () => Promise<T>): Promise<{ value: T; loop: LoopDelay }> {
  const monitor = await loopMonitor();
  let value: T;
  try {
    value = await work();
  } catch (error) {
    await monitor.stop();
    throw error;
  }
  return { value, loop: await monitor.stop() };
}

function desired(services: number, dests: number, changed?: number): DesiredState {
  return {
    services: Array.from({ length: services }, (_, s) => ({
      ...serviceKey(s),
      scheduler: SCHEDULER,
      destinations: Array.from({ length: dests }, (_, d) => ({
        address: destAddress(d),
        port: PORT,
        forward: 'masq' as const,
        weight: s === changed && d === 0 ? 2 : 1,
      })),
    })),
  };
}

export async function scaling(ctx: Context, sizes: readonly number[]): Promise<ScalingRow[]> {
  const { dests } = ctx.options;
  const rows: ScalingRow[] = [];
  for (const services of sizes) {
    progress(`scaling: ${services} services x ${dests}`);
    await ctx.fresh();
    const ops = createOps(services, dests);
    const { value: create, loop: createLoop } = await monitored(() =>
      timed(() =>
        ctx.ipvs.batch((b) => {
          for (const op of ops) addOp(b, op);
        }),
      ),
    );
    const failed = create.value.filter((r) => !r.ok).length;
    if (failed > 0) throw new Error(`scaling: ${failed} of ${ops.length} operations failed`);
    expectTable(
      { services, dests: services * dests, weightSum: services * dests },
      `scaling ${services}, create`,
    );
    const { value: list, loop: listLoop } = await monitored(() =>
      timed(() => ctx.ipvs.listServices({ destinations: true })),
    );
    if (list.value.length !== services) throw new Error(`scaling: listed ${list.value.length}`);
    const same = desired(services, dests);
    const noop = await timed(() => ctx.ipvs.apply(same));
    if (noop.value.steps.length !== 0)
      throw new Error(`scaling: a no-op apply planned ${noop.value.steps.length} steps`);
    const changed = desired(services, dests, services >> 1);
    const one = await timed(() => ctx.ipvs.apply(changed));
    if (one.value.steps.length !== 1 || one.value.applied !== 1)
      throw new Error(`scaling: one change planned ${one.value.steps.length} steps`);
    rows.push({
      services,
      dests,
      seconds: {
        create: create.seconds,
        list: list.seconds,
        'apply no-op': noop.seconds,
        'apply one change': one.seconds,
      },
      loop: { create: createLoop, list: listLoop },
    });
    progress(`scaling ${services}: ${scalingLine(rows[rows.length - 1] as ScalingRow)}`);
  }
  await ctx.reset();
  return rows;
}

function scalingLine(r: ScalingRow): string {
  const costs = Object.entries(r.seconds).map(
    ([name, s]) => `${name} ${((s * 1e6) / r.services).toFixed(1)} µs/service (${s.toFixed(2)} s)`,
  );
  const loops = r.loop
    ? Object.entries(r.loop).map(
        ([name, l]) =>
          `loop during ${name}: p99 ${l.p99Ms.toFixed(1)} ms, max ${l.maxMs.toFixed(1)} ms`,
      )
    : [];
  return [...costs, ...loops].join(', ');
}

export function scalingTable(rows: readonly ScalingRow[]): string {
  return rows.map((r) => `scaling ${r.services} x ${r.dests}: ${scalingLine(r)}`).join('\n');
}
