// `npm run demo`: the seed's LVS-DR example with real packets. Natively when this process is root
// and the kernel has IPVS; otherwise inside the lab (test/lab), which boots a kernel that has it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../../test/lab/run-command.js';
import { REPO_ROOT, runInLab } from '../../test/lab/vm.js';

const demo = join(REPO_ROOT, 'examples/seed-dr-demo/demo.ts');
const command = [process.execPath, '--import', 'tsx', demo];

function nativeIpvs(): boolean {
  if (process.getuid?.() !== 0) return false;
  if (!existsSync('/proc/net/ip_vs')) spawnSync('modprobe', ['-q', 'ip_vs'], { stdio: 'ignore' });
  return existsSync('/proc/net/ip_vs');
}

if (nativeIpvs()) {
  const result = spawnSync(command[0] ?? process.execPath, command.slice(1), {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
}
process.stderr.write(
  "demo: this kernel has no IPVS or this process is not root: running in the lab (a QEMU guest with Debian's kernel)\n",
);
try {
  const result = await runInLab(command, { cwd: REPO_ROOT });
  process.stderr.write(
    `demo: lab guest kernel ${result.kernel}, ${result.accel}, ${result.seconds.toFixed(1)} s\n`,
  );
  process.exit(result.status);
} catch (error) {
  process.stderr.write(
    `demo: the lab could not run: ${error instanceof LabError ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
