// The `ipvs` command as the e2e tests start it, as a process of its own: the package's bin, the
// bundle dist/bin/ipvs.js, which test/run-kernel-suites.ts builds from lib/ before any guest boots.
// Through tsx, such a process under QEMU (TCG) spent a minute or more compiling lib/ before its
// first line ran; from the unbundled dist/cli/, 15-29 s reading its modules over 9p.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = new URL('../../', import.meta.url).pathname;
const BIN = join(REPO, 'dist/bin/ipvs.js');

function newestSource(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs;
    }),
  );
}

/** argv for `ipvs ARGS...`; refuses a dist/ missing or older than lib/. */
export function ipvsCommand(...args: string[]): string[] {
  if (!existsSync(BIN) || statSync(BIN).mtimeMs < newestSource(join(REPO, 'lib')))
    throw new Error(
      `${BIN} is missing or older than lib/: run the suites with npm run test:kernel (it builds ` +
        'dist/ first), or npm run prepare',
    );
  return [process.execPath, BIN, ...args];
}
