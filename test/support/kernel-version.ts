// The running kernel's version, for tests of features that only some kernels have: such a test
// asserts the feature where the kernel has it and the kernel's precise refusal where it does not.
import { release } from 'node:os';

/** [major, minor] of the running kernel, from uname's release (e.g. 6.12.57+deb12-amd64). */
export function kernelVersion(): readonly [number, number] {
  const match = /^(\d+)\.(\d+)/.exec(release());
  if (!match) throw new Error(`cannot read a kernel version from uname's release '${release()}'`);
  return [Number(match[1]), Number(match[2])];
}

/** Whether the running kernel is at least major.minor. */
export function kernelAtLeast(major: number, minor: number): boolean {
  const [haveMajor, haveMinor] = kernelVersion();
  return haveMajor > major || (haveMajor === major && haveMinor >= minor);
}
