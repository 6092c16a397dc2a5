// One attempt of any kind of check, bounded by its timeout and by the caller's signal (stop).
import type { CheckSpec } from '../types.js';
import { commandCheck } from './command.js';
import { httpCheck } from './http.js';
import { describeError, failed, passed, type CheckResult } from './result.js';
import { abortReason, tcpCheck } from './tcp.js';

export type { CheckResult } from './result.js';

async function customCheck(
  check: Extract<CheckSpec, { type: 'custom' }>,
  signal: AbortSignal,
): Promise<CheckResult> {
  // A custom function that ignores its signal still loses the race: its late answer is dropped.
  const aborted = new Promise<CheckResult>((resolve) => {
    const onAbort = (): void => {
      resolve(failed(abortReason(signal)));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  const ran = (async () => {
    try {
      return (await check.run(check.target, signal))
        ? passed(`${check.name}: healthy`)
        : failed(`${check.name}: unhealthy`);
    } catch (error) {
      return failed(`${check.name}: ${describeError(error)}`);
    }
  })();
  return Promise.race([ran, aborted]);
}

function attempt(check: CheckSpec, signal: AbortSignal): Promise<CheckResult> {
  switch (check.type) {
    case 'tcp':
      return tcpCheck(check.target, signal);
    case 'http':
    case 'https':
      return httpCheck(check, check.target, signal);
    case 'command':
      return commandCheck(check.argv, check.target, signal);
    case 'custom':
      return customCheck(check, signal);
  }
}

export async function runCheck(check: CheckSpec, stop: AbortSignal): Promise<CheckResult> {
  const controller = new AbortController();
  const { timeoutMs } = check.timing;
  // When the event loop was blocked, the timer and the server's answer can both be due at once;
  // timers run first, so the abort waits for the I/O phase to deliver an answer that came in time.
  let late: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => {
    late = setImmediate(() => {
      controller.abort(new Error(`timed out after ${timeoutMs} ms`));
    });
  }, timeoutMs);
  const onStop = (): void => {
    controller.abort(new Error('stopped'));
  };
  stop.addEventListener('abort', onStop, { once: true });
  if (stop.aborted) onStop();
  try {
    return await attempt(check, controller.signal);
  } finally {
    clearTimeout(timer);
    clearImmediate(late);
    stop.removeEventListener('abort', onStop);
    // Anything still listening (a custom check's own work) learns that the attempt is over.
    if (!controller.signal.aborted) controller.abort(new Error('attempt over'));
  }
}
