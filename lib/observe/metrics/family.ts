// A metric family read from one snapshot: its name, help, type and labels, and how its samples
// come out of a ScrapeView. The renderer (render.ts) turns families into prom-client metrics,
// so prom-client owns the exposition format; families only say what to show.
import type { Snapshot } from '../snapshot.js';

export type Labels = Record<string, string>;

/** What a scrape shows: one snapshot, and the exporter's own figures. */
export interface ScrapeView {
  snapshot: Snapshot;
  /** Readings of the kernel that failed since the exporter started. */
  scrapeErrors: number;
  /** How long the previous scrape took, reading and rendering, in seconds (0 before it). */
  lastScrapeSeconds: number;
}

export type Emit = (labels: Labels, value: number) => void;

export interface Family {
  /** The Prometheus text name; a counter's ends in _total. */
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  labelNames: readonly string[];
  /** Emits each sample once; a label set emitted twice is an error of the family. */
  collect(view: ScrapeView, emit: Emit): void;
}

/** A counter's value: the kernel's 64-bit counters as Prometheus' floats. */
export const counterValue = (value: bigint): number => Number(value);

export const flag = (on: boolean): number => (on ? 1 : 0);
