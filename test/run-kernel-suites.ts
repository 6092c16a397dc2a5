// Runs the kernel and e2e suites where a real IPVS kernel is: natively when this process is root
// and the running kernel has IPVS, otherwise inside the lab. Never passes by skipping them: when
// neither is possible it fails and says what is missing.
//
//   npm run test:kernel [-- [--kernel 6.1|6.12|all] [vitest args, e.g. a file filter]]
//
// Without vitest args (the whole suite, as `npm test` runs it), each guest first runs
// test/lab/ipip-autoload.sh.
//
// In the lab, --kernel (else $IPVS_LAB_KERNEL, else 6.1) picks the guest's kernel; `all` (what
// `npm test` passes) runs the suites on every lab kernel, each in a guest of its own, all at once.
// IPVS_TEST_MODE=native|lab forces a mode; natively, the running kernel is the only one there is.
//
// Several guests at once: each guest's output goes to a log file of its own
// (.lab/kernel-suites-KERNEL.log), never interleaved with the others. While they run, only one
// line per finished test file is printed, prefixed with its kernel ("[6.12] ✓ test/..."); when a
// guest ends, its whole output is printed as one block under a header. Last comes a table with
// each kernel's release, exit status, test files, tests and time; the run fails when any kernel
// failed (or its lab could not boot).
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import {
  LAB_KERNELS,
  labKernelFromEnv,
  parseLabKernel,
  takeKernelOption,
  type LabKernel,
} from './lab/kernels.js';
import { LabError } from './lab/run-command.js';
import { REPO_ROOT, runInLab } from './lab/vm.js';

const require = createRequire(import.meta.url);
const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');

function say(message: string): void {
  process.stderr.write(`kernel suites: ${message}\n`);
}

function nativeIpvs(): boolean {
  if (process.getuid?.() !== 0) return false;
  if (!existsSync('/proc/net/ip_vs')) spawnSync('modprobe', ['-q', 'ip_vs'], { stdio: 'ignore' });
  return existsSync('/proc/net/ip_vs');
}

/** The lab kernels asked for: --kernel, else $IPVS_LAB_KERNEL, else 6.1. */
function pickKernels(named: string | undefined): LabKernel[] {
  if (named === undefined) return [labKernelFromEnv()];
  if (named === 'all') return [...LAB_KERNELS];
  return [...new Set(named.split(',').map((k) => parseLabKernel(k, '--kernel')))];
}

let kernels: LabKernel[];
let vitestArgs: string[];
let wholeSuite = false;
try {
  const { kernel, rest } = takeKernelOption(process.argv.slice(2));
  kernels = pickKernels(kernel);
  vitestArgs = ['run', '--project', 'kernel', '--project', 'e2e', ...rest];
  wholeSuite = rest.length === 0;
} catch (error) {
  say(error instanceof LabError ? error.message : String(error));
  process.exit(2);
}

// The e2e tests start `ipvs serve` and `ipvs exporter` as the package's bin, the bundle
// dist/bin/ipvs.js (test/support/ipvs-cli.ts): built here, on the host, before any guest boots.
for (const [what, args] of [
  [
    'tsc -p tsconfig.build.json',
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  ],
  ['the bundle (scripts/bundle-cli.mjs)', [join(REPO_ROOT, 'scripts/bundle-cli.mjs')]],
] as const) {
  const build = spawnSync(process.execPath, args, { cwd: REPO_ROOT, stdio: 'inherit' });
  if (build.status !== 0) {
    say(`${what} failed: the e2e tests start the ipvs command from dist/bin/`);
    process.exit(1);
  }
}

const mode = process.env.IPVS_TEST_MODE ?? (nativeIpvs() ? 'native' : 'lab');
if (mode === 'native') {
  if (!nativeIpvs()) {
    say(
      'IPVS_TEST_MODE=native, but this process is not root or this kernel has no IPVS (no /proc/net/ip_vs)',
    );
    process.exit(1);
  }
  say(
    'running natively on this kernel (root, IPVS present); the lab kernels ' +
      `(${kernels.join(', ')}) are not used: IPVS_TEST_MODE=lab runs them`,
  );
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

/**
 * What a guest runs: vitest; for the whole suite, first test/lab/ipip-autoload.sh, which must see
 * a kernel no test has touched yet (it unloads ipip, which the e2e tunnels need, so it cannot run
 * beside them) and costs no guest of its own this way.
 */
function guestCommand(): string[] {
  const suites = [process.execPath, vitest, ...vitestArgs];
  if (!wholeSuite) return suites;
  const script = `sh test/lab/ipip-autoload.sh && { modprobe -q -a ${PRELOADED.join(' ')} || true; } && exec "$@"`;
  return ['sh', '-c', script, 'ipip-autoload', ...suites];
}

/**
 * Modules the suites would otherwise have the kernel load on demand while other files' network
 * namespaces are being torn down. On 6.12 under TCG that once deadlocked the guest: a modprobe,
 * ipvsadm, an IPVS estimator kthread (ipvs-e) and the netns cleanup worker all blocked for good
 * (hung-task reports in the guest's console). `mh` stays on demand: plumbing.test.ts loads it.
 */
const PRELOADED = [
  ...['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf'].map(
    (scheduler) => `ip_vs_${scheduler}`,
  ),
  'ip_vs_pe_sip',
  'dummy',
  'veth',
  'bridge',
  'ip6_tunnel',
  // vrrp-keepalived.test.ts rewrites a TTL with tc: the ingress qdisc, matchall, pedit and csum.
  'sch_ingress',
  'cls_matchall',
  'act_pedit',
  'act_csum',
  // Last: 6.1 has no twos, and modprobe -a stops at the first module it cannot find.
  'ip_vs_twos',
];

interface KernelRun {
  kernel: LabKernel;
  status: number;
  release?: string;
  accel?: string;
  seconds: number;
  log?: string;
  failure?: string;
}

function labFailure(error: unknown): string {
  return `the lab could not run: ${error instanceof LabError ? error.message : String(error)}`;
}

/** One kernel alone: its output streams straight to this terminal, as it comes. */
async function runOne(kernel: LabKernel): Promise<KernelRun> {
  const started = Date.now();
  try {
    const result = await runInLab(guestCommand(), {
      cwd: REPO_ROOT,
      kernel,
    });
    return {
      kernel,
      status: result.status,
      release: result.kernel,
      accel: result.accel,
      seconds: result.seconds,
    };
  } catch (error) {
    return {
      kernel,
      status: 125,
      seconds: (Date.now() - started) / 1000,
      failure: labFailure(error),
    };
  }
}

/**
 * Writes a guest's output to its log file, and echoes the lines that say a test file finished
 * (vitest's " ✓  e2e  test/e2e/dr.test.ts (9 tests) 64415ms", or ❯ when some failed), prefixed
 * with the kernel.
 */
class KernelLog extends Writable {
  private pending = '';
  private readonly file;
  constructor(
    readonly path: string,
    private readonly kernel: LabKernel,
  ) {
    super();
    this.file = createWriteStream(path);
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error) => void): void {
    this.file.write(chunk);
    const lines = (this.pending + chunk.toString()).split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) {
      const plain = stripVTControlCharacters(line).replace(/\r/g, '').trimEnd();
      if (/^\s*[✓×❯]\s+(?:\S+\s+)?test\/\S+\.test\.ts \(/.test(plain)) {
        process.stdout.write(`[${this.kernel}] ${plain.trim()}\n`);
      }
    }
    done();
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.file.end(resolve));
  }
}

/** Several kernels at once, each in its own guest, each guest's output kept apart (see above). */
async function runMany(list: readonly LabKernel[]): Promise<KernelRun[]> {
  const logDir = join(REPO_ROOT, '.lab');
  mkdirSync(logDir, { recursive: true });
  return Promise.all(
    list.map(async (kernel): Promise<KernelRun> => {
      const started = Date.now();
      const log = new KernelLog(join(logDir, `kernel-suites-${kernel}.log`), kernel);
      let run: KernelRun;
      try {
        const result = await runInLab(guestCommand(), {
          cwd: REPO_ROOT,
          kernel,
          output: log,
        });
        run = {
          kernel,
          status: result.status,
          release: result.kernel,
          accel: result.accel,
          seconds: result.seconds,
          log: log.path,
        };
      } catch (error) {
        run = {
          kernel,
          status: 125,
          seconds: (Date.now() - started) / 1000,
          log: log.path,
          failure: labFailure(error),
        };
      }
      await log.close();
      const header = `==== kernel ${kernel}${run.release ? ` (${run.release})` : ''}: exit ${run.status}, ${run.seconds.toFixed(0)} s, output from ${relative(process.cwd(), log.path)} ====`;
      process.stdout.write(`\n${header}\n${readFileSync(log.path, 'utf8')}`);
      if (run.failure) process.stdout.write(`${run.failure}\n`);
      process.stdout.write(`==== end of kernel ${kernel} ====\n\n`);
      return run;
    }),
  );
}

/** "Test Files  22 passed (22)" and "Tests  273 passed (273)" from vitest's summary. */
function counts(log: string | undefined): { files: string; tests: string } {
  if (!log || !existsSync(log)) return { files: '-', tests: '-' };
  const text = stripVTControlCharacters(readFileSync(log, 'utf8'));
  const line = (label: string) =>
    new RegExp(`^\\s*${label}\\s+(.+)$`, 'm').exec(text)?.[1]?.trim() ?? '-';
  return { files: line('Test Files'), tests: line('Tests') };
}

say(
  `this kernel has no IPVS or this process is not root: running inside the lab on kernel ${kernels.join(' and ')}` +
    (kernels.length > 1 ? ', one guest each, at once' : ''),
);
const runs =
  kernels.length === 1 ? [await runOne(kernels[0] as LabKernel)] : await runMany(kernels);

for (const run of runs) {
  if (run.failure && kernels.length === 1) say(run.failure);
  const { files, tests } = counts(run.log);
  const where = run.release ? `${run.release}, ${run.accel}` : 'the lab failed';
  say(
    `kernel ${run.kernel} (${where}): exit ${run.status}, ${run.seconds.toFixed(0)} s` +
      (run.log ? `; test files: ${files}; tests: ${tests}` : ''),
  );
}
const failed = runs.filter((r) => r.status !== 0);
// A guest that overran its time is not a missing lab: the hint is for the lab's other failures.
if (failed.some((r) => r.failure && !r.failure.includes('did not finish within'))) {
  say(
    'the kernel suites need either root on a kernel with IPVS, or the lab (Debian packages, QEMU)',
  );
}
if (failed.length > 0) say(`FAILED on kernel ${failed.map((r) => r.kernel).join(' and ')}`);
process.exit(failed.length === 0 ? 0 : (failed[0]?.status ?? 1));
