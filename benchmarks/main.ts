// The bench proper, where the kernel has IPVS (natively as root, or inside the lab): a fresh
// network namespace, then scenarios (a)-(d), then the table, latest.json and latest.svg.
import { Ipvs } from '../lib/index.js';
import { checkFloorEncoding, runFloor } from './contenders/floor.js';
import { runRestore } from './contenders/ipvsadm.js';
import { NATIVE_MODES, runNative } from './contenders/native.js';
import { environment } from './environment.js';
import { judge } from './goals.js';
import { progress } from './measure.js';
import { enterFreshNetworkNamespace } from './netns.js';
import type { BenchOptions } from './options.js';
import { table } from './report/table.js';
import { writeResults } from './report/write.js';
import type { Results } from './results.js';
import { churn } from './scenarios/churn.js';
import { Context } from './scenarios/context.js';
import { createDelete } from './scenarios/create-delete.js';
import { list } from './scenarios/list.js';
import { memory } from './scenarios/memory.js';
import { scaling, scalingTable } from './scenarios/scaling.js';
import { scrape } from './scenarios/scrape.js';
import { split, splitTable } from './scenarios/split.js';
import { expectTable } from './verify.js';
import { churnOps, createOps, deleteOps } from './workload.js';

/** Loads the scheduler module, warms the JIT and every contender's path; nothing is recorded. */
async function warmUp(ctx: Context): Promise<void> {
  const services = Math.min(ctx.options.services, 50);
  const create = createOps(services, ctx.options.dests);
  const rest = [...churnOps(services, ctx.options.dests, 0), ...deleteOps(services)];
  runFloor([...create, ...rest], ctx.options.floorBatch);
  for (const mode of NATIVE_MODES) {
    await runNative(ctx.ipvs, create, mode);
    await runNative(ctx.ipvs, rest, mode);
  }
  runRestore(create);
  runRestore(rest);
  expectTable({ services: 0, dests: 0, weightSum: 0 }, 'warm-up');
}

async function stage<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  progress(`${name}...`);
  const value = await fn();
  progress(`${name}: done in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  return value;
}

export async function runBench(options: BenchOptions): Promise<void> {
  enterFreshNetworkNamespace();
  const env = environment();
  progress(
    `${env.where}${env.where === 'lab' ? ` (${env.accel})` : ''}, kernel ${env.kernel}, ${options.services} services x ${options.dests} destinations`,
  );
  checkFloorEncoding([...createOps(3, 2), ...churnOps(3, 2, 0), ...deleteOps(3)]);
  const ctx = new Context(await Ipvs.open({ timeoutMs: 120_000 }), options);
  try {
    const runs = (name: string): boolean => options.only?.includes(name) ?? true;
    // The warm-up compiles the library's paths before anything is timed: every timed stage but
    // the scrape (which has its own) needs it.
    if (!options.only || options.only.some((name) => name !== 'scrape'))
      await stage('warm-up', () => warmUp(ctx));
    const eventLoop = runs('create-delete')
      ? await stage('create/delete', () => createDelete(ctx))
      : [];
    if (runs('churn')) await stage('churn', () => churn(ctx));
    if (runs('list')) await stage('list', () => list(ctx));
    const rss = runs('memory') ? await stage('memory', () => memory(ctx)) : undefined;
    const scrapeCost = runs('scrape') ? await stage('scrape', () => scrape(ctx)) : undefined;
    const phases = runs('split') ? await stage('split', () => split(ctx)) : undefined;
    const growth = runs('scaling')
      ? await stage('scaling', () => scaling(ctx, options.scale))
      : undefined;
    const { services, dests, rounds, reps, perOpSample, rssOps, floorBatch, smoke } = options;
    const partial = {
      environment: env,
      options: {
        services,
        dests,
        rounds,
        reps,
        perOpSample,
        rssOps,
        floorBatch,
        smoke,
        scrapeServices: options.scrapeServices,
        scale: options.scale,
        ...(options.only ? { only: options.only } : {}),
      },
      measurements: ctx.measurements,
      eventLoop,
      ...(rss ? { rss } : {}),
      ...(scrapeCost ? { scrape: scrapeCost } : {}),
      ...(phases ? { split: phases } : {}),
      ...(growth ? { scaling: growth } : {}),
    };
    const results: Results = { ...partial, goals: judge(partial) };
    const written = writeResults(results, options.outDir);
    process.stdout.write(`${table(results)}\n\n`);
    if (phases) process.stdout.write(`${splitTable(phases)}\n\n`);
    if (growth) process.stdout.write(`${scalingTable(growth)}\n\n`);
    progress(`wrote ${written.join(', ')}`);
  } finally {
    ctx.close();
  }
}
