// The lab's kernel choice: --kernel before the command, IPVS_LAB_KERNEL, and the series' packages.
import { afterEach, describe, expect, it } from 'vitest';
import {
  KERNEL_SERIES,
  labKernelFromEnv,
  parseLabKernel,
  takeKernelOption,
} from '../lab/kernels.js';

const saved = process.env.IPVS_LAB_KERNEL;
afterEach(() => {
  if (saved === undefined) delete process.env.IPVS_LAB_KERNEL;
  else process.env.IPVS_LAB_KERNEL = saved;
});

describe('lab kernels', () => {
  it('takes --kernel X and --kernel=X off the front only, leaving the command as it is', () => {
    expect(takeKernelOption(['--kernel', '6.12', 'ls', '--kernel', 'x'])).toEqual({
      kernel: '6.12',
      rest: ['ls', '--kernel', 'x'],
    });
    expect(takeKernelOption(['--kernel=6.1', 'uname', '-r'])).toEqual({
      kernel: '6.1',
      rest: ['uname', '-r'],
    });
    expect(takeKernelOption(['uname', '--kernel', '6.12'])).toEqual({
      rest: ['uname', '--kernel', '6.12'],
    });
    expect(() => takeKernelOption(['--kernel'])).toThrow('--kernel needs a value');
  });

  it('accepts 6.1 and 6.12 and names the setting and the value it refuses', () => {
    expect(parseLabKernel('6.12', '--kernel')).toBe('6.12');
    expect(() => parseLabKernel('6.6', '--kernel')).toThrow(
      "--kernel must be one of 6.1, 6.12, got '6.6'",
    );
  });

  it('defaults to 6.1 and follows IPVS_LAB_KERNEL', () => {
    delete process.env.IPVS_LAB_KERNEL;
    expect(labKernelFromEnv()).toBe('6.1');
    process.env.IPVS_LAB_KERNEL = '6.12';
    expect(labKernelFromEnv()).toBe('6.12');
    process.env.IPVS_LAB_KERNEL = '5.10';
    expect(() => labKernelFromEnv()).toThrow(
      "IPVS_LAB_KERNEL must be one of 6.1, 6.12, got '5.10'",
    );
  });

  it("matches each series' image packages and no other's", () => {
    const names = [
      'linux-image-6.1.0-57-amd64',
      'linux-image-6.12.117+deb12-amd64',
      'linux-image-6.12.117+deb12-cloud-amd64',
      'linux-image-6.12.117+deb12-amd64-unsigned',
    ];
    expect(names.filter((n) => KERNEL_SERIES['6.1'].image.test(n))).toEqual([
      'linux-image-6.1.0-57-amd64',
    ]);
    expect(names.filter((n) => KERNEL_SERIES['6.12'].image.test(n))).toEqual([
      'linux-image-6.12.117+deb12-amd64',
    ]);
  });
});
