// Provisioning from Debian's packages only: the host tools the lab runs, and the kernel it boots.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { KERNEL_SERIES, type LabKernel } from './kernels.js';
import { kernelCache, labCacheRoot, type KernelCache } from './paths.js';
import { haveCommand, isRoot, LabError, run } from './run-command.js';

/** Debian packages the lab needs on the host, with a command each one provides. */
const HOST_PACKAGES: ReadonlyArray<{ pkg: string; command: string }> = [
  { pkg: 'qemu-system-x86', command: 'qemu-system-x86_64' },
  { pkg: 'busybox-static', command: 'busybox' },
  { pkg: 'cpio', command: 'cpio' },
  { pkg: 'kmod', command: 'depmod' },
  { pkg: 'ipvsadm', command: 'ipvsadm' },
  { pkg: 'iproute2', command: 'ip' },
  { pkg: 'util-linux', command: 'setpriv' },
  // test/e2e/metrics.test.ts: node_exporter's ipvs collector to compare with, and Prometheus
  // (its package also has promtool) to scrape ipvs exporter.
  { pkg: 'prometheus-node-exporter', command: 'prometheus-node-exporter' },
  { pkg: 'prometheus', command: 'promtool' },
  // test/kernel/vrrp-keepalived.test.ts and test/e2e/vrrp-keepalived.test.ts: the VRRP peer our
  // implementation must interoperate with (Debian's keepalived, VRRPv2 and v3).
  { pkg: 'keepalived', command: 'keepalived' },
  // test/e2e/vrrp-keepalived.test.ts: captures both routers' advertisements and announcements.
  { pkg: 'tcpdump', command: 'tcpdump' },
  // test/e2e/fleet-*.test.ts: the shared desired state (etcd, and etcdctl to look at it as an
  // operator would) and the routing of a scaled-out fleet (FRR's zebra, bgpd and vtysh).
  { pkg: 'etcd-server', command: 'etcd' },
  { pkg: 'etcd-client', command: 'etcdctl' },
  { pkg: 'frr', command: 'vtysh' },
];

function log(message: string): void {
  process.stderr.write(`lab: ${message}\n`);
}

function packageInstalled(pkg: string): boolean {
  try {
    return run('dpkg-query', ['-W', '-f=${Status}', pkg]).includes('install ok installed');
  } catch {
    return false;
  }
}

let aptUpdated = false;
function aptUpdate(): void {
  if (aptUpdated) return;
  log('apt-get update');
  run('apt-get', ['update', '-q']);
  aptUpdated = true;
}

/** Installs the host packages the lab needs, when missing. Needs root only when something is. */
export function ensureHostPackages(): void {
  if (!haveCommand('dpkg-query')) {
    throw new LabError(
      'the lab provisions itself from Debian packages, and this machine has no dpkg. Install ' +
        HOST_PACKAGES.map((p) => p.pkg).join(', ') +
        ' and a Debian kernel by hand, or run the ' +
        'kernel suites as root on a kernel with IPVS.',
    );
  }
  const missing = HOST_PACKAGES.filter((p) => !packageInstalled(p.pkg) || !haveCommand(p.command));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.pkg);
  if (!isRoot()) {
    throw new LabError(
      `missing Debian packages: ${names.join(' ')} (run as root, or: sudo apt-get install ${names.join(' ')})`,
    );
  }
  aptUpdate();
  log(`apt-get install ${names.join(' ')}`);
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...names]);
}

/** Reads the image package a series' meta package currently depends on, and its version. */
function lookUpCurrentKernel(series: LabKernel): { name: string; version: string } | undefined {
  const { meta, image } = KERNEL_SERIES[series];
  let name: string | undefined;
  let version: string | undefined;
  try {
    const depends = run('apt-cache', ['depends', meta]);
    name = /Depends:\s+(linux-image-\S+-amd64)\b/.exec(depends)?.[1];
    if (!name) return undefined;
    const show = run('apt-cache', ['show', '--no-all-versions', name]);
    version = /^Version:\s*(\S+)/m.exec(show)?.[1];
  } catch {
    return undefined;
  }
  if (!image.test(name)) {
    throw new LabError(
      `${meta} depends on ${name}, which is not a ${series} kernel: the lab's kernels are ` +
        `Debian 12's, and this machine's apt sources are not (bookworm, bookworm-security)`,
    );
  }
  return version ? { name, version } : undefined;
}

function newestCachedKernel(series: LabKernel): KernelCache | undefined {
  const root = labCacheRoot();
  if (!existsSync(root)) return undefined;
  const complete = readdirSync(root)
    .flatMap((entry) => {
      const [, name, version] = /^(linux-image-.+-amd64)_(.+)$/.exec(entry) ?? [];
      return name && version && KERNEL_SERIES[series].image.test(name)
        ? [kernelCache(name, version)]
        : [];
    })
    .filter((k) => existsSync(join(k.dir, '.complete')))
    .sort((a, b) => a.dir.localeCompare(b.dir, undefined, { numeric: true }));
  return complete.at(-1);
}

/**
 * The kernel to boot: the newest Debian package of the series (6.1: what linux-image-amd64
 * depends on; 6.12: what linux-image-6.12-amd64 depends on), downloaded and extracted into the
 * cache when it is not there yet. When the package lists can't be read (no apt lists and not
 * root), the newest kernel of the series already in the cache is used.
 */
export function ensureKernel(series: LabKernel): KernelCache {
  let current = lookUpCurrentKernel(series);
  if (!current && isRoot()) {
    aptUpdate();
    current = lookUpCurrentKernel(series);
  }
  if (!current) {
    const cached = newestCachedKernel(series);
    if (cached) return cached;
    throw new LabError(
      `cannot resolve ${KERNEL_SERIES[series].meta} (kernel ${series}) with apt-cache, and no ` +
        `${series} kernel is cached in ${labCacheRoot()}`,
    );
  }
  const kernel = kernelCache(current.name, current.version);
  if (existsSync(join(kernel.dir, '.complete')) && existsSync(kernel.vmlinuz)) return kernel;

  log(`provisioning kernel ${current.name} ${current.version} into ${kernel.dir}`);
  mkdirSync(labCacheRoot(), { recursive: true });
  const staging = mkdtempSync(join(labCacheRoot(), '.staging-'));
  try {
    run('apt-get', ['download', '-q', `${current.name}=${current.version}`], { cwd: staging });
    const deb = readdirSync(staging).find((f) => f.endsWith('.deb'));
    if (!deb) throw new LabError(`apt-get download ${current.name} produced no .deb`);
    const root = join(staging, 'root');
    run('dpkg-deb', ['-x', join(staging, deb), root]);
    run('depmod', ['-b', root, kernel.release]);
    rmSync(join(staging, deb));
    writeFileSync(join(staging, '.complete'), `${current.name} ${current.version}\n`);
    rmSync(kernel.dir, { recursive: true, force: true });
    renameSync(staging, kernel.dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return kernel;
}
