// ipvsadm as Node tools use it today (one process per operation) and at its best (`ipvsadm -R`:
// one process reading every rule on stdin). Each is timed as a whole process, start to exit.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { ipvsadmArgs, restoreText, type Op } from '../workload.js';

function ipvsadm(args: readonly string[], input?: string): string {
  const result = spawnSync('ipvsadm', args, {
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (result.error) throw result.error;
  if (result.status !== 0)
    throw new Error(
      `ipvsadm ${args.join(' ')}: exit ${String(result.status)}: ${result.stderr.trim()}`,
    );
  return result.stdout;
}

/** Seconds for `ops`, one ipvsadm process each, in order. */
export function runPerOperation(ops: readonly Op[]): number {
  const start = performance.now();
  for (const op of ops) ipvsadm(ipvsadmArgs(op));
  return (performance.now() - start) / 1000;
}

/** Seconds for one `ipvsadm -R` fed `ops` (the text is built before the clock starts). */
export function runRestore(ops: readonly Op[]): number {
  const text = restoreText(ops);
  const start = performance.now();
  ipvsadm(['-R'], text);
  return (performance.now() - start) / 1000;
}

/** Seconds for one listing command, and its output. */
export function runListing(args: readonly string[]): { seconds: number; output: string } {
  const start = performance.now();
  const output = ipvsadm(args);
  return { seconds: (performance.now() - start) / 1000, output };
}
