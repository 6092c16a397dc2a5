// Debian's chromium, the browser the status page tests drive: installed by the test run when
// missing (as root, the way the lab provisions its host packages), never downloaded by
// playwright, never skipped.
import { existsSync } from 'node:fs';
import { isRoot, run } from '../lab/run-command.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a headless run that touches no network beyond the loopback pages it is given. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  if (!isRoot())
    throw new Error(
      `the browser tests need Debian's chromium at ${CHROMIUM}: run them as root (they install ` +
        'it), or: sudo apt-get install --no-install-recommends chromium',
    );
  process.stderr.write('browser tests: apt-get install chromium\n');
  try {
    run('apt-get', ['update', '-q']);
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'chromium']);
  } catch (error) {
    throw new Error(
      `could not install Debian's chromium for the browser tests: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (!existsSync(CHROMIUM))
    throw new Error(`apt-get installed chromium, but ${CHROMIUM} is still missing`);
}
