// What a run produces (benchmarks/results/latest.json) and the figures derived from it.
import { median, type LoopDelay } from './measure.js';
import type { ScalingRow } from './scenarios/scaling.js';
import type { SplitRow } from './scenarios/split.js';

export type Scenario = 'create' | 'delete' | 'churn' | 'list';

export const CONTENDERS = {
  floor: 'floor (1000/sendmsg)',
  floorSingle: 'floor (1/sendmsg)',
  batched: 'ipvs-native batched',
  coalesced: 'ipvs-native coalesced',
  awaited: 'ipvs-native awaited',
  restore: 'ipvsadm -R',
  perOp: 'ipvsadm per op',
  floorList: 'floor (dumps)',
  list: 'ipvs-native listServices',
  ipvsadmList: 'ipvsadm -Ln',
  ipvsadmListStats: 'ipvsadm -Ln --stats',
  ipvsadmSave: 'ipvsadm -S -n',
} as const;

export interface Measurement {
  scenario: Scenario;
  contender: string;
  /** Operations per repetition (for listings: services + destinations listed). */
  ops: number;
  /** One per repetition. */
  seconds: number[];
  /** Messages per sendmsg, where known (the library's and the floor's counters). */
  messagesPerSendmsg?: number;
  /** True when measured on a sample of the operations (ipvsadm per op). */
  sampled?: boolean;
}

/** A contender's event-loop delay (loopMonitor's figures). */
export interface LoopHealth extends LoopDelay {
  contender: string;
}

export interface RssCheck {
  ops: number;
  seconds: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  rssMaxMiB: number;
  heapBeforeMiB: number;
  heapAfterMiB: number;
  /** RSS (after a full GC) as the operations went by. */
  trace: { ops: number; rssMiB: number }[];
}

/** Scenario (e): one scrape of ipvs exporter, repetition by repetition. */
export interface ScrapeCost {
  services: number;
  dests: number;
  /** Sample lines in one exposition. */
  samples: number;
  bytes: number;
  /** Whole scrapes (reading and rendering), one per repetition. */
  seconds: number[];
  /** The kernel reading's part (median). */
  readSeconds: number;
  /** Event-loop delay during the scrapes: median p50, worst p99 and max. */
  loop: { p50Ms: number; p99Ms: number; maxMs: number };
}

export interface Environment {
  where: 'lab' | 'native';
  kernel: string;
  accel: 'tcg' | 'kvm' | 'none';
  cpu: string;
  hostCpu?: string;
  /** The host's 1-minute load average when the lab run started. */
  hostLoad?: string;
  cpus: number;
  node: string;
  ipvsadm: string;
  date: string;
  commit?: string;
}

export interface Goal {
  goal: string;
  value: string;
  met: boolean;
}

export interface Results {
  environment: Environment;
  options: {
    services: number;
    dests: number;
    rounds: number;
    reps: number;
    perOpSample: number;
    rssOps: number;
    floorBatch: number;
    smoke: boolean;
    scrapeServices?: number;
    only?: string[];
    scale?: number[];
  };
  measurements: Measurement[];
  eventLoop: LoopHealth[];
  rss?: RssCheck;
  scrape?: ScrapeCost;
  /** Scenario (f): the phases of a create, a delete and a listing. */
  split?: SplitRow[];
  /** Scenario (g): cost per service as the table grows. */
  scaling?: ScalingRow[];
  goals: Goal[];
}

export interface Summary {
  medianSeconds: number;
  minSeconds: number;
  maxSeconds: number;
  opsPerSecond: number;
  minOpsPerSecond: number;
  maxOpsPerSecond: number;
}

export function summarize(m: Measurement): Summary {
  const medianSeconds = median(m.seconds);
  const minSeconds = Math.min(...m.seconds);
  const maxSeconds = Math.max(...m.seconds);
  return {
    medianSeconds,
    minSeconds,
    maxSeconds,
    opsPerSecond: m.ops / medianSeconds,
    minOpsPerSecond: m.ops / maxSeconds,
    maxOpsPerSecond: m.ops / minSeconds,
  };
}

export function find(
  results: Results,
  scenario: Scenario,
  contender: string,
): Measurement | undefined {
  return results.measurements.find((m) => m.scenario === scenario && m.contender === contender);
}

/** Median ops/s of `contender` over that of `baseline` in the same scenario. */
export function ratio(
  results: Results,
  scenario: Scenario,
  contender: string,
  baseline: string,
): number | undefined {
  const a = find(results, scenario, contender);
  const b = find(results, scenario, baseline);
  if (!a || !b) return undefined;
  return summarize(a).opsPerSecond / summarize(b).opsPerSecond;
}
