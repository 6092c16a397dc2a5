// Small synchronous process helpers for provisioning: every failure says what was run.
import { execFileSync } from 'node:child_process';

export class LabError extends Error {
  override name = 'LabError';
}

/** Runs a command and returns its stdout; throws LabError with its stderr when it fails. */
export function run(file: string, args: readonly string[], options: { cwd?: string } = {}): string {
  try {
    return execFileSync(file, args, {
      cwd: options.cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { stderr?: string; status?: number };
    const detail = err.code === 'ENOENT' ? 'command not found' : err.stderr?.trim() || err.message;
    throw new LabError(`${file} ${args.join(' ')} failed: ${detail}`);
  }
}

/** Whether an executable is on PATH. */
export function haveCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v "$1" >/dev/null`, 'sh', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}
