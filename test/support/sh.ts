// Runs a command in the test's network namespace and returns its stdout; a failure throws with the
// command's stderr so that the test report shows what the kernel or the tool said.
import { execFileSync } from 'node:child_process';

export function sh(file: string, ...args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const err = error as { stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')}: ${err.stderr?.trim() || err.message}`, {
      cause: error,
    });
  }
}
