// Boots the lab guest under QEMU and runs one command in it as root.
//
// The guest sees this machine's / read-only, the repository read-write at its own path, and
// /run/lab as a writable folder shared with the host. Its output is streamed from the shared
// folder as it is written; its exit status comes back the same way. QEMU never outlives the run:
// it is killed on timeout, on SIGINT/SIGTERM/SIGHUP, on exit, and by the kernel if this process
// dies (setpriv --pdeathsig).
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ensureInitramfs } from './initramfs.js';
import { labKernelFromEnv, type LabKernel } from './kernels.js';
import { labCacheRoot, type KernelCache } from './paths.js';
import { ensureHostPackages, ensureKernel } from './provision.js';
import { LabError } from './run-command.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** Modules loaded before the command runs. Schedulers, tunnels and the rest load on demand. */
const PRELOADED_MODULES = ['ip_vs', 'dummy', 'veth', 'bridge', 'ipip'];

/** Environment variables passed from the host into the guest command (besides IPVS_*). */
const PASSED_ENV = ['CI', 'FORCE_COLOR', 'NO_COLOR', 'NODE_OPTIONS', 'TERM', 'LANG', 'DEBUG'];

export interface LabRunOptions {
  /** Which kernel series to boot. Default: $IPVS_LAB_KERNEL, else 6.1. */
  kernel?: LabKernel;
  /** Working directory inside the guest (a host path). Default: the current directory. */
  cwd?: string;
  /** Seconds before the guest is killed. Default: $IPVS_LAB_TIMEOUT or 1800. */
  timeoutSeconds?: number;
  /** Where the guest's output goes as it arrives. Default: process.stdout. */
  output?: NodeJS.WritableStream;
}

export interface LabRunResult {
  /** The command's exit status inside the guest. */
  status: number;
  /** The guest kernel's release, e.g. 6.12.57+deb12-amd64. */
  kernel: string;
  accel: 'tcg' | 'kvm';
  seconds: number;
}

export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export function guestScript(argv: readonly string[], cwd: string): string {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
    HOME: '/tmp/lab-home',
    IPVS_LAB: '1',
  };
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && (PASSED_ENV.includes(name) || name.startsWith('IPVS_')))
      env[name] = value;
  }
  if (process.stdout.isTTY && env.FORCE_COLOR === undefined && env.NO_COLOR === undefined)
    env.FORCE_COLOR = '1';
  const exports = Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  return [
    ...exports,
    'mkdir -p "$HOME"',
    `cd ${shellQuote(cwd)} || exit 126`,
    `exec ${argv.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}

interface Share {
  tag: string;
  path: string;
  readonly: boolean;
}

function qemuArgs(
  kernel: KernelCache,
  initramfs: string,
  out: string,
  shares: Share[],
  accel: 'tcg' | 'kvm',
): string[] {
  const memory = process.env.IPVS_LAB_MEMORY ?? '3072';
  const smp = Math.max(1, Math.min(cpus().length, 4));
  const virtfs = (tag: string, path: string, readonly: boolean) => [
    '-virtfs',
    `local,path=${path},mount_tag=${tag},security_model=none,multidevs=remap${readonly ? ',readonly=on' : ''}`,
  ];
  return [
    '-machine',
    'pc',
    '-accel',
    accel,
    '-cpu',
    accel === 'kvm' ? 'host' : 'max',
    '-smp',
    String(smp),
    '-m',
    memory,
    '-kernel',
    kernel.vmlinuz,
    '-initrd',
    initramfs,
    '-append',
    'console=ttyS0 rdinit=/init panic=-1 quiet loglevel=4 random.trust_cpu=on',
    // No standard input in CI: nothing may use stdio. No network card: lab traffic stays inside.
    '-display',
    'none',
    '-monitor',
    'none',
    '-serial',
    `file:${join(out, 'console.log')}`,
    '-nodefaults',
    '-nic',
    'none',
    '-no-reboot',
    ...virtfs('host', '/', true),
    ...virtfs('out', out, false),
    ...shares.flatMap((s) => virtfs(s.tag, s.path, s.readonly)),
  ];
}

/**
 * The kernel log from its first hung-task report on: the blocked tasks and their stacks (the
 * guest's sysrq w), which are what tells a deadlock's cause.
 */
function hungTasks(log: string): string {
  const lines = log.split('\n');
  const first = lines.findIndex((line) => line.includes('blocked for more than'));
  return lines.slice(Math.max(0, first - 20), first + 400).join('\n');
}

/** Copies bytes appended to a file to `output`, for live progress while the guest runs. */
class FileTail {
  private offset = 0;
  private readonly buffer = Buffer.alloc(64 * 1024);
  constructor(
    private readonly path: string,
    private readonly output: NodeJS.WritableStream,
  ) {}
  drain(): void {
    if (!existsSync(this.path)) return;
    const fd = openSync(this.path, 'r');
    try {
      for (;;) {
        const n = readSync(fd, this.buffer, 0, this.buffer.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        this.output.write(Buffer.from(this.buffer.subarray(0, n)));
      }
    } finally {
      closeSync(fd);
    }
  }
}

/** QEMU under setpriv --pdeathsig: if this process is killed outright, the kernel kills QEMU. */
class QemuProcess {
  private child: ChildProcess | undefined;
  private readonly stderrChunks: Buffer[] = [];
  constructor(private readonly args: readonly string[]) {}

  run(
    timeoutSeconds: number,
    tick: () => void,
  ): Promise<{ exit: number | null; timedOut: boolean }> {
    return new Promise((resolveRun, rejectRun) => {
      let timedOut = false;
      const child = spawn(
        'setpriv',
        ['--pdeathsig', 'KILL', '--', 'qemu-system-x86_64', ...this.args],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      this.child = child;
      const poll = setInterval(tick, 200);
      const deadline = setTimeout(() => {
        timedOut = true;
        this.kill();
      }, timeoutSeconds * 1000);
      child.stderr.on('data', (chunk: Buffer) => this.stderrChunks.push(chunk));
      child.on('error', (error) => {
        clearInterval(poll);
        clearTimeout(deadline);
        rejectRun(new LabError(`cannot start QEMU: ${error.message}`));
      });
      child.on('exit', (exit) => {
        clearInterval(poll);
        clearTimeout(deadline);
        tick();
        resolveRun({ exit, timedOut });
      });
    });
  }

  kill(): void {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  stderr(): string {
    return Buffer.concat(this.stderrChunks).toString();
  }
}

function kvmUsable(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Boots the guest and runs `argv`; resolves when the guest has powered off. */
async function boot(
  kernel: KernelCache,
  argv: readonly string[],
  accel: 'tcg' | 'kvm',
  options: LabRunOptions,
): Promise<LabRunResult> {
  const started = Date.now();
  const initramfs = ensureInitramfs(kernel);
  const out = mkdtempSync(join(tmpdir(), 'ipvs-lab-'));
  const cwd = resolve(options.cwd ?? process.cwd());
  const shares: Share[] = [
    { tag: 'repo', path: REPO_ROOT, readonly: false },
    { tag: 'cache', path: labCacheRoot(), readonly: true },
  ];
  writeFileSync(
    join(out, 'lab.env'),
    [
      `LAB_MODROOT=${shellQuote(kernel.root)}`,
      `LAB_KVER=${shellQuote(kernel.release)}`,
      `LAB_MODULES=${shellQuote(PRELOADED_MODULES.join(' '))}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(out, 'shares'),
    // cache=loose: the guest keeps what it read in its page cache. Without it every open, stat and
    // read of the repository (node_modules, dist/, lib/) was a 9p round trip to QEMU, and a cold
    // import of a hundred modules took tens of seconds under TCG. Nothing on the host writes to
    // these trees while a guest runs (dist/ is built before it boots).
    shares.map((s) => `${s.tag} ${s.readonly ? 'ro' : 'rw'},cache=loose ${s.path}\n`).join(''),
  );
  writeFileSync(join(out, 'run.sh'), guestScript(argv, cwd));

  const timeoutSeconds = options.timeoutSeconds ?? Number(process.env.IPVS_LAB_TIMEOUT ?? 1800);
  const tail = new FileTail(join(out, 'output'), options.output ?? process.stdout);
  const qemu = new QemuProcess(qemuArgs(kernel, initramfs, out, shares, accel));
  const onSignal = (signal: NodeJS.Signals) => {
    qemu.kill();
    rmSync(out, { recursive: true, force: true });
    process.stderr.write(`lab: interrupted by ${signal}; the guest was stopped\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  const onExit = () => {
    qemu.kill();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  process.on('exit', onExit);
  try {
    const { exit, timedOut } = await qemu.run(timeoutSeconds, () => {
      tail.drain();
    });
    tail.drain();
    const statusFile = join(out, 'status');
    if (!existsSync(statusFile)) {
      const consoleLog = existsSync(join(out, 'console.log'))
        ? readFileSync(join(out, 'console.log'), 'utf8')
        : '';
      const initError = existsSync(join(out, 'init-error'))
        ? readFileSync(join(out, 'init-error'), 'utf8').trim()
        : '';
      const hung = existsSync(join(out, 'hung-tasks'))
        ? readFileSync(join(out, 'hung-tasks'), 'utf8')
        : '';
      const reason = timedOut
        ? `the guest did not finish within ${timeoutSeconds} s (IPVS_LAB_TIMEOUT) and was killed`
        : hung
          ? 'the guest kernel reported tasks blocked for 120 s (a deadlock); their stacks are above'
          : initError
            ? `the guest's init failed: ${initError}`
            : `QEMU exited (${exit}) before the command finished`;
      throw new LabError(
        `${reason}\n--- QEMU stderr ---\n${qemu.stderr().trim()}\n` +
          (hung
            ? `--- guest kernel log from the first report ---\n${hungTasks(hung)}`
            : `--- guest console (last lines) ---\n${consoleLog.split('\n').slice(-40).join('\n')}`),
      );
    }
    return {
      status: Number(readFileSync(statusFile, 'utf8').trim()),
      kernel: kernel.release,
      accel,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    qemu.kill();
    for (const s of signals) process.off(s, onSignal);
    process.off('exit', onExit);
    if (!process.env.IPVS_LAB_KEEP) rmSync(out, { recursive: true, force: true });
    else process.stderr.write(`lab: kept ${out}\n`);
  }
}

/**
 * KVM only when it is there and a guest really boots with it: on these machines /dev/kvm can
 * exist while a KVM guest hangs at boot. The probe's answer is cached per kernel.
 */
async function chooseAccel(kernel: KernelCache): Promise<'tcg' | 'kvm'> {
  const forced = process.env.IPVS_LAB_ACCEL;
  if (forced === 'tcg' || forced === 'kvm') return forced;
  if (!kvmUsable()) return 'tcg';
  const probeFile = join(kernel.dir, 'kvm-probe');
  if (existsSync(probeFile)) return readFileSync(probeFile, 'utf8').trim() === 'ok' ? 'kvm' : 'tcg';
  let ok: boolean;
  try {
    const result = await boot(kernel, ['true'], 'kvm', {
      timeoutSeconds: 60,
      output: new PassThrough().resume(),
    });
    ok = result.status === 0;
  } catch {
    ok = false;
  }
  writeFileSync(probeFile, ok ? 'ok\n' : 'hangs\n');
  return ok ? 'kvm' : 'tcg';
}

/** Provisions what is missing, boots the lab and runs `argv` as root inside it. */
export async function runInLab(
  argv: readonly string[],
  options: LabRunOptions = {},
): Promise<LabRunResult> {
  if (argv.length === 0) throw new LabError('no command given');
  if (!existsSync(dirname(REPO_ROOT))) throw new LabError(`repository root ${REPO_ROOT} not found`);
  ensureHostPackages();
  const kernel = ensureKernel(options.kernel ?? labKernelFromEnv());
  const accel = await chooseAccel(kernel);
  return boot(kernel, argv, accel, options);
}
