// `npm run bench -- [options]`: where the running kernel has IPVS and this process is root, the
// bench runs here (in a fresh network namespace); otherwise this script re-executes itself inside
// the lab (test/lab/vm.ts), where IPVS_LAB=1 is set. IPVS_BENCH_MODE=native|lab forces one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { BENCH_DIR, buildFloor } from './contenders/floor.js';
import { parseOptions, USAGE } from './options.js';

function say(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

function nativeIpvs(): boolean {
  if (process.getuid?.() !== 0) return false;
  if (!existsSync('/proc/net/ip_vs')) spawnSync('modprobe', ['-q', 'ip_vs'], { stdio: 'ignore' });
  return existsSync('/proc/net/ip_vs');
}

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const options = parseOptions(argv, BENCH_DIR);
// Built here, before any lab boots: the guest sees the same folder and finds it up to date.
buildFloor();

const mode =
  process.env.IPVS_BENCH_MODE ?? (process.env.IPVS_LAB === '1' || nativeIpvs() ? 'native' : 'lab');
if (mode === 'native') {
  const { runBench } = await import('./main.js');
  await runBench(options);
} else if (mode === 'lab') {
  const { REPO_ROOT, runInLab } = await import('../test/lab/vm.js');
  const { LabError } = await import('../test/lab/run-command.js');
  say('this kernel has no IPVS or this process is not root: running inside the lab');
  process.env.IPVS_BENCH_HOST_CPU = cpus()[0]?.model ?? 'unknown';
  // The guest shares the host's cores: a busy host slows every contender, not always equally.
  process.env.IPVS_BENCH_HOST_LOAD = `${loadavg()[0]?.toFixed(2) ?? '?'} on ${cpus().length} cores`;
  const script = process.argv[1] ?? '';
  try {
    const result = await runInLab([process.execPath, ...process.execArgv, script, ...argv], {
      cwd: REPO_ROOT,
      timeoutSeconds: Number(process.env.IPVS_LAB_TIMEOUT ?? 3600),
    });
    say(
      `lab guest: kernel ${result.kernel}, ${result.accel}, ${result.seconds.toFixed(1)} s, exit ${result.status}`,
    );
    process.exit(result.status);
  } catch (error) {
    say(`the lab could not run: ${error instanceof LabError ? error.message : String(error)}`);
    process.exit(1);
  }
} else {
  say(`unknown IPVS_BENCH_MODE=${mode} (native or lab)`);
  process.exit(2);
}
