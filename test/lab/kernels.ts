// The kernels the lab boots: Debian 12's two long-term series. Each is named by its series and
// resolved, at run time, to the newest package of that series that apt offers.
//
// 6.1 is bookworm's own kernel: linux-image-amd64 depends on the current linux-image-6.1.0-N-amd64.
// 6.12 is the newer long-term kernel Debian builds for bookworm (src:linux-6.12, packages
// linux-image-6.12.N+deb12-amd64, the meta package linux-image-6.12-amd64). It is published in
// bookworm-security, a source every Debian 12 installation has, so nothing needs adding to
// apt's sources; bookworm-backports is not needed for it.
import { LabError } from './run-command.js';

export const LAB_KERNELS = ['6.1', '6.12'] as const;
export type LabKernel = (typeof LAB_KERNELS)[number];

/** The default when nothing picks one: Debian 12's own kernel. */
export const DEFAULT_LAB_KERNEL: LabKernel = '6.1';

export interface KernelSeries {
  series: LabKernel;
  /** Meta package whose dependency is the series' current image. */
  meta: string;
  /** Versioned image package names of this series. */
  image: RegExp;
}

export const KERNEL_SERIES: Readonly<Record<LabKernel, KernelSeries>> = {
  '6.1': { series: '6.1', meta: 'linux-image-amd64', image: /^linux-image-6\.1\.0-\d+-amd64$/ },
  '6.12': {
    series: '6.12',
    meta: 'linux-image-6.12-amd64',
    image: /^linux-image-6\.12\.\d+\+deb\d+-amd64$/,
  },
};

export function isLabKernel(value: string): value is LabKernel {
  return (LAB_KERNELS as readonly string[]).includes(value);
}

/** Checks a kernel named on the command line or in IPVS_LAB_KERNEL. */
export function parseLabKernel(value: string, from: string): LabKernel {
  if (isLabKernel(value)) return value;
  throw new LabError(`${from} must be one of ${LAB_KERNELS.join(', ')}, got '${value}'`);
}

/** The kernel picked by $IPVS_LAB_KERNEL, else the default (6.1). */
export function labKernelFromEnv(): LabKernel {
  const value = process.env.IPVS_LAB_KERNEL;
  return value ? parseLabKernel(value, 'IPVS_LAB_KERNEL') : DEFAULT_LAB_KERNEL;
}

/**
 * Takes `--kernel X` / `--kernel=X` off the front of a command line (where `npm run lab -- ...`
 * puts it), leaving the rest untouched: the command's own options are never looked at.
 */
export function takeKernelOption(argv: readonly string[]): { kernel?: string; rest: string[] } {
  const [first, second] = argv;
  if (first === '--kernel') {
    if (second === undefined) throw new LabError('--kernel needs a value');
    return { kernel: second, rest: argv.slice(2) };
  }
  if (first?.startsWith('--kernel=')) {
    return { kernel: first.slice('--kernel='.length), rest: argv.slice(1) };
  }
  return { rest: [...argv] };
}
