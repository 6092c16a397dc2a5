// Where the lab keeps what it provisions: outside the repository, reused across runs and clones.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Root of the lab cache: $IPVS_LAB_CACHE, else $XDG_CACHE_HOME/ipvs-native-lab, else ~/.cache/... */
export function labCacheRoot(): string {
  const explicit = process.env.IPVS_LAB_CACHE;
  if (explicit) return explicit;
  const xdg = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(xdg, 'ipvs-native-lab');
}

/** One provisioned kernel: the extracted package, its module tree and the initramfs built for it. */
export interface KernelCache {
  /** Debian package name, e.g. linux-image-6.1.0-56-amd64. */
  packageName: string;
  /** Debian package version, e.g. 6.1.192-2. */
  packageVersion: string;
  /** Kernel release (uname -r inside the guest), e.g. 6.1.0-56-amd64. */
  release: string;
  /** Folder holding everything for this kernel. */
  dir: string;
  /** The package's files, extracted: boot/vmlinuz-*, lib/modules/* (depmod'ed). */
  root: string;
  vmlinuz: string;
  initramfs: string;
}

export function kernelCache(packageName: string, packageVersion: string): KernelCache {
  const release = packageName.replace(/^linux-image-/, '');
  const dir = join(labCacheRoot(), `${packageName}_${packageVersion}`);
  const root = join(dir, 'root');
  return {
    packageName,
    packageVersion,
    release,
    dir,
    root,
    vmlinuz: join(root, 'boot', `vmlinuz-${release}`),
    initramfs: join(dir, 'initramfs.cpio.gz'),
  };
}
