// The goals, judged from a run's figures (reported, never asserted).
import { CONTENDERS, ratio, type Goal, type Results, type Scenario } from './results.js';

const x = (n: number | undefined) => (n === undefined ? 'n/a' : `${n.toFixed(2)}x`);

export function judge(results: Omit<Results, 'goals'>): Goal[] {
  const goals: Goal[] = [];
  // With --only, goals of the stages that did not run are not judged.
  const only = results.options.only;
  const ran = (stage: string): boolean => only?.includes(stage) ?? true;
  const atLeast = (
    goal: string,
    scenario: Scenario,
    contender: string,
    baseline: string,
    min: number,
  ) => {
    if (!ran(scenario === 'create' || scenario === 'delete' ? 'create-delete' : scenario)) return;
    const r = ratio(results as Results, scenario, contender, baseline);
    goals.push({
      goal: `${goal} >= ${min}x ${baseline}`,
      value: x(r),
      met: r !== undefined && r >= min,
    });
  };
  for (const scenario of ['churn', 'create', 'delete'] as const) {
    atLeast(
      `${scenario}: ${CONTENDERS.batched}`,
      scenario,
      CONTENDERS.batched,
      CONTENDERS.floor,
      0.8,
    );
    atLeast(
      `${scenario}: ${CONTENDERS.coalesced}`,
      scenario,
      CONTENDERS.coalesced,
      CONTENDERS.floor,
      0.8,
    );
    atLeast(
      `${scenario}: ${CONTENDERS.awaited}`,
      scenario,
      CONTENDERS.awaited,
      CONTENDERS.floorSingle,
      0.5,
    );
  }
  // Issue 13: the listing at 0.8x the dump floor, the event loop's p99 under 10 ms.
  atLeast(`list: ${CONTENDERS.list}`, 'list', CONTENDERS.list, CONTENDERS.floorList, 0.8);
  if (results.environment.where === 'lab') {
    for (const loop of results.eventLoop) {
      goals.push({
        goal: `event loop p99 during create/delete, ${loop.contender} < 10 ms`,
        value: `${loop.p99Ms.toFixed(1)} ms`,
        met: loop.p99Ms < 10,
      });
    }
  }
  // ... and while a 100,000-service table is created in one batch() and a 10,000-service table
  // is listed (scenario (g) monitors both at each size).
  if (results.environment.where === 'lab') {
    const atSize = (n: number) => results.scaling?.find((r) => r.services === n)?.loop;
    const create = atSize(100_000)?.create;
    if (create) {
      goals.push({
        goal: 'event loop p99 during a batch() of 100,000 services x 2 < 10 ms',
        value: `${create.p99Ms.toFixed(1)} ms`,
        met: create.p99Ms < 10,
      });
    }
    const list = atSize(10_000)?.list;
    if (list) {
      goals.push({
        goal: 'event loop p99 while listing 10,000 services with destinations < 10 ms',
        value: `${list.p99Ms.toFixed(1)} ms`,
        met: list.p99Ms < 10,
      });
    }
  }
  const rss = results.rss;
  if (rss) {
    // Flat: from the middle of the trace to its end RSS grows by less than 10 MiB.
    const half = rss.trace[Math.floor(rss.trace.length / 2)]?.rssMiB ?? rss.rssBeforeMiB;
    const growth = rss.rssAfterMiB - half;
    goals.push({
      goal: `RSS flat over ${rss.ops.toLocaleString('en-US')} operations (second half grows < 10 MiB)`,
      value: `${rss.rssBeforeMiB.toFixed(1)} -> ${half.toFixed(1)} -> ${rss.rssAfterMiB.toFixed(1)} MiB`,
      met: growth < 10,
    });
  }
  return goals;
}
