// Command-line options: sizes, repetitions, where the results go. `--smoke` is the tiny size CI runs.
import { join } from 'node:path';

export interface BenchOptions {
  services: number;
  dests: number;
  /** Churn rounds per repetition. */
  rounds: number;
  reps: number;
  /** Operations sampled for ipvsadm spawned per operation. */
  perOpSample: number;
  /** Operations for the RSS check (the million). */
  rssOps: number;
  /** Messages per sendmsg for the floor's batched run. */
  floorBatch: number;
  smoke: boolean;
  /** Services of the table scraped in scenario (e). */
  scrapeServices: number;
  /** Table sizes (services) of the scaling scenario (g). */
  scale: number[];
  /** Run only these stages (--only scrape,list); all when absent. */
  only?: string[];
  /** Where latest.json and latest.svg go. */
  outDir: string;
}

export const USAGE = `usage: npm run bench -- [--smoke] [--services N] [--dests N] [--rounds N] [--reps N]
                        [--per-op-sample N] [--rss-ops N] [--floor-batch N] [--out DIR]
                        [--scrape-services N] [--scale N,N,...] [--only STAGE,...]
  defaults: 5000 services x 2 destinations, 1 churn round, 3 repetitions, ipvsadm per operation
  sampled on 200 operations, RSS over 1,000,000 operations, the floor at 1000 messages a sendmsg;
  results in benchmarks/results/ (with --smoke: 50 x 2, 1 round, 1 rep, 1000 RSS operations,
  20 sampled, results in benchmarks/build/smoke/); the scrape (e) of a 10,000-service table
  (smoke: 50) with --dests destinations each; the split (f) of create, delete and list into
  phases at --services; the scaling (g) at 1000,10000,50000,100000 services (smoke: 50,100),
  --scale to choose; --only runs some of the stages create-delete, churn, list, memory, scrape,
  split, scaling (and the warm-up first, unless the scrape runs alone)`;

export const STAGES = [
  'create-delete',
  'churn',
  'list',
  'memory',
  'scrape',
  'split',
  'scaling',
] as const;

const NUMERIC: Record<string, keyof BenchOptions> = {
  '--services': 'services',
  '--dests': 'dests',
  '--rounds': 'rounds',
  '--reps': 'reps',
  '--per-op-sample': 'perOpSample',
  '--rss-ops': 'rssOps',
  '--floor-batch': 'floorBatch',
  '--scrape-services': 'scrapeServices',
};

export function parseOptions(argv: readonly string[], benchDir: string): BenchOptions {
  const smoke = argv.includes('--smoke');
  const options: BenchOptions = smoke
    ? {
        services: 50,
        dests: 2,
        rounds: 1,
        reps: 1,
        perOpSample: 20,
        rssOps: 1000,
        floorBatch: 1000,
        smoke,
        scrapeServices: 50,
        scale: [50, 100],
        outDir: join(benchDir, 'build', 'smoke'),
      }
    : {
        services: 5000,
        dests: 2,
        rounds: 1,
        reps: 3,
        perOpSample: 200,
        rssOps: 1_000_000,
        floorBatch: 1000,
        smoke,
        scrapeServices: 10_000,
        scale: [1000, 10_000, 50_000, 100_000],
        outDir: join(benchDir, 'results'),
      };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--smoke') continue;
    const value = argv[i + 1];
    if (arg === '--only' && value !== undefined) {
      const only = value.split(',');
      const unknown = only.filter((o) => !(STAGES as readonly string[]).includes(o));
      if (unknown.length > 0) {
        throw new RangeError(`--only: unknown stage ${unknown.join(', ')} (${STAGES.join(', ')})`);
      }
      options.only = only;
      i++;
      continue;
    }
    if (arg === '--scale' && value !== undefined) {
      const sizes = value.split(',').map(Number);
      if (sizes.some((n) => !Number.isInteger(n) || n < 1))
        throw new RangeError(`--scale: positive integers, got ${value}`);
      options.scale = sizes;
      i++;
      continue;
    }
    if (arg === '--out' && value !== undefined) {
      options.outDir = value;
      i++;
      continue;
    }
    const key = NUMERIC[arg];
    const n = Number(value);
    if (key === undefined || value === undefined || !Number.isInteger(n) || n < 1) {
      throw new RangeError(`bad option ${arg} ${value ?? ''}\n${USAGE}`);
    }
    Object.assign(options, { [key]: n });
    i++;
  }
  if (options.services > 4_000_000)
    throw new RangeError('--services: at most 4,000,000 (the 10.0.0.0/10 block)');
  return options;
}
