// apply(): one dump of the kernel's table, the minimal plan to the desired state, executed in
// batches. Bad input throws before anything is sent; a kernel refusal of one step is reported
// with the step and does not stop the others (the kernel has no transactions). Normalising, reading
// the table, planning and building each batch run in slices with turns of the event loop between
// them, so that a big state does not hold the loop (see lib/state/slices.ts).
import type { IpvsError } from '../core/errors.js';
import type { IpvsHandle } from '../core/handle.js';
import { currentState } from '../state/current.js';
import { planInSlices, type Step } from '../state/plan.js';
import { normaliseInSlices, type DesiredState } from '../state/schema.js';
import { addInSlices } from '../state/slices.js';

export interface ApplyOptions {
  /** Delete services (and destinations of desired services) that are not desired. Default false. */
  prune?: boolean;
  /** Compute and return the plan, change nothing. */
  dryRun?: boolean;
  /** Operations per exchange with the kernel. Default 2000. */
  batchSize?: number;
  /** Called after each batch with the steps done so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface ApplyResult {
  /** The plan, in the order it was (or would be) executed. Empty: the kernel already matched. */
  steps: Step[];
  /** Steps the kernel accepted (0 for a dry run). */
  applied: number;
  failures: Array<{ step: Step; error: IpvsError }>;
}

export async function apply(
  ipvs: IpvsHandle,
  desired: DesiredState,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const wanted = await normaliseInSlices(desired);
  const batchSize = options.batchSize ?? 2000;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a positive integer, got ${String(batchSize)}`);
  const current = await currentState(ipvs);
  const steps = await planInSlices(current, wanted, options.prune ? { prune: true } : {});
  const result: ApplyResult = { steps, applied: 0, failures: [] };
  if (options.dryRun || steps.length === 0) return result;
  for (let start = 0; start < steps.length; start += batchSize) {
    const chunk = steps.slice(start, start + batchSize);
    const results = await ipvs.batch((batch) => addInSlices(batch, chunk));
    results.forEach((r, i) => {
      const step = chunk[i];
      if (!step) return;
      if (r.ok) result.applied++;
      else result.failures.push({ step, error: r.error });
    });
    options.onProgress?.(Math.min(start + batchSize, steps.length), steps.length);
  }
  return result;
}
