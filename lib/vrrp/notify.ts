// Notify commands (keepalived's notify_master, notify_backup, notify_fault, notify_stop): argv
// run without a shell, with what happened in the environment. A command that fails or hangs is
// logged by the caller and changes nothing: the election never waits on it.
import { execFile } from 'node:child_process';

export interface NotifyContext {
  instance: string;
  state: string;
  from: string;
  reason: string;
}

/** Runs `argv`; resolves when it exits 0, rejects otherwise (or after `timeoutMs`). */
export type RunCommand = (argv: readonly string[], env: Record<string, string>) => Promise<void>;

const TIMEOUT_MS = 30_000;

export const runCommand: RunCommand = (argv, env) =>
  new Promise((resolve, reject) => {
    const [file = '', ...args] = argv;
    execFile(
      file,
      args,
      { env: { ...process.env, ...env }, timeout: TIMEOUT_MS, windowsHide: true },
      (error, _stdout, stderr) => {
        if (error) {
          const tail = stderr.trim().split('\n').slice(-1)[0];
          reject(
            new Error(
              `${argv.join(' ')}: ${error.message.split('\n')[0]}${tail ? ` (${tail})` : ''}`,
            ),
          );
        } else resolve();
      },
    );
  });

/** The environment a notify command gets: IPVS_VRRP_INSTANCE, _STATE, _FROM, _REASON. */
export function notifyEnvironment(context: NotifyContext): Record<string, string> {
  return {
    IPVS_VRRP_INSTANCE: context.instance,
    IPVS_VRRP_STATE: context.state,
    IPVS_VRRP_FROM: context.from,
    IPVS_VRRP_REASON: context.reason,
  };
}
