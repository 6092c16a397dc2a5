// Timing and the figures every result carries: the median of the repetitions and their spread.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export async function timed<T>(fn: () => Promise<T> | T): Promise<{ seconds: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - start) / 1000, value };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return NaN;
  return sorted.length % 2
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

export function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** The event loop's delay over some work, in milliseconds (1 ms resolution). */
export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: number;
}

/**
 * Monitors the event loop's delay until stop(). The monitor's first sample only starts its clock,
 * so this resolves once it has ticked: a block the work begins with (a batch built in one go) is
 * then measured, not taken for the start. stop() lets a timer fire before it disables the
 * monitor, for the same reason at the end: work that ends in one block (calls answered inline,
 * never leaving the microtask queue) is only seen by the monitor's next sample.
 */
export async function loopMonitor(): Promise<{ stop: () => Promise<LoopDelay> }> {
  const monitor = monitorEventLoopDelay({ resolution: 1 });
  monitor.enable();
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
  await tick();
  return {
    stop: async () => {
      await tick();
      monitor.disable();
      const ms = (ns: number) => ns / 1e6;
      return {
        p50Ms: ms(monitor.percentile(50)),
        p99Ms: ms(monitor.percentile(99)),
        maxMs: ms(monitor.max),
        samples: monitor.count,
      };
    },
  };
}
