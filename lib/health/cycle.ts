// One check cycle: an attempt, and up to `retries` more after `retryDelay` each while they fail
// (keepalived's retry and delay_before_retry). The cycle fails only when every attempt did.
import { runCheck, type CheckResult } from './checks/run-check.js';
import { sleep } from './sleep.js';
import type { CheckSpec } from './types.js';

export interface CycleResult extends CheckResult {
  attempts: number;
  /** How long the last attempt took, in seconds: the check's latency, retry delays left out. */
  seconds: number;
}

export async function runCycle(check: CheckSpec, stop: AbortSignal): Promise<CycleResult> {
  let attempts = 0;
  for (;;) {
    const started = performance.now();
    const result = await runCheck(check, stop);
    const seconds = (performance.now() - started) / 1000;
    attempts++;
    if (result.ok || attempts > check.timing.retries || stop.aborted)
      return { ...result, attempts, seconds };
    if (!(await sleep(check.timing.retryDelayMs, stop))) return { ...result, attempts, seconds };
  }
}
