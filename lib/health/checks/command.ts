// MISC_CHECK: a program run with its argv (no shell); exit status 0 is healthy. It runs in a
// process group of its own, so that on timeout the whole group (the program and anything it
// started) is killed, and the attempt ends when the program has exited: no process outlives it.
import { spawn } from 'node:child_process';
import type { CheckTarget } from '../types.js';
import { describeError, failed, passed, type CheckResult } from './result.js';
import { abortReason } from './tcp.js';

export function commandCheck(
  argv: readonly [string, ...string[]],
  target: CheckTarget,
  signal: AbortSignal,
): Promise<CheckResult> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(failed(abortReason(signal)));
      return;
    }
    const [program, ...args] = argv;
    // The target is passed in the environment, so that one script can serve many servers.
    const env = {
      ...process.env,
      IPVS_CHECK_ADDRESS: target.address,
      IPVS_CHECK_PORT: String(target.port),
    };
    const child = spawn(program, args, { stdio: 'ignore', detached: true, env });
    let abortedWith: string | undefined;
    const onAbort = (): void => {
      abortedWith = abortReason(signal);
      killGroup(child.pid);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const finish = (result: CheckResult): void => {
      signal.removeEventListener('abort', onAbort);
      child.removeAllListeners();
      resolve(result);
    };
    child.once('error', (error) => {
      finish(failed(`${program}: ${describeError(error)}`));
    });
    child.once('exit', (code, killedBy) => {
      // Whatever the program left behind in its group goes with it.
      killGroup(child.pid);
      if (abortedWith !== undefined) finish(failed(abortedWith));
      else if (code === 0) finish(passed('exit 0'));
      else finish(failed(code === null ? `killed by ${killedBy ?? 'a signal'}` : `exit ${code}`));
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}
