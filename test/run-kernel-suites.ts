// Runs the kernel and e2e suites where a real IPVS kernel is: natively when this process is root
// and the running kernel has IPVS, otherwise inside the lab. Never passes by skipping them: when
// neither is possible it fails and says what is missing.
//
// IPVS_TEST_MODE=native|lab forces one. Extra arguments go to vitest (e.g. a file filter).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LabError } from './lab/run-command.js';
import { REPO_ROOT, runInLab } from './lab/vm.js';

const require = createRequire(import.meta.url);
const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const vitestArgs = ['run', '--project', 'kernel', '--project', 'e2e', ...process.argv.slice(2)];

function nativeIpvs(): boolean {
  if (process.getuid?.() !== 0) return false;
  if (!existsSync('/proc/net/ip_vs')) spawnSync('modprobe', ['-q', 'ip_vs'], { stdio: 'ignore' });
  return existsSync('/proc/net/ip_vs');
}

function say(message: string): void {
  process.stderr.write(`kernel suites: ${message}\n`);
}

const mode = process.env.IPVS_TEST_MODE ?? (nativeIpvs() ? 'native' : 'lab');
if (mode === 'native') {
  if (!nativeIpvs()) {
    say(
      'IPVS_TEST_MODE=native, but this process is not root or this kernel has no IPVS (no /proc/net/ip_vs)',
    );
    process.exit(1);
  }
  say('running natively on this kernel (root, IPVS present)');
  const result = spawnSync(process.execPath, [vitest, ...vitestArgs], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
}
if (mode !== 'lab') {
  say(`unknown IPVS_TEST_MODE=${mode} (native or lab)`);
  process.exit(2);
}

say('this kernel has no IPVS or this process is not root: running inside the lab');
try {
  const result = await runInLab([process.execPath, vitest, ...vitestArgs], { cwd: REPO_ROOT });
  say(
    `lab guest: kernel ${result.kernel}, ${result.accel}, ${result.seconds.toFixed(1)} s, exit ${result.status}`,
  );
  process.exit(result.status);
} catch (error) {
  say(`the lab could not run: ${error instanceof LabError ? error.message : String(error)}`);
  say(
    'the kernel suites need either root on a kernel with IPVS, or the lab (Debian packages, QEMU)',
  );
  process.exit(1);
}
