// The lab's initramfs: static busybox, the init script, and the modules needed to mount 9p.
// Rebuilt when missing or when anything that goes into it changes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import type { KernelCache } from './paths.js';
import { LabError, run } from './run-command.js';

const GUEST_DIR = join(import.meta.dirname, 'guest');

/** Modules the init loads before it can mount the host: virtio PCI transport and 9p. */
const BOOT_MODULES = ['crc32c_generic', 'virtio_pci', '9pnet_virtio', '9p'];

/** Module files in load order, with their dependencies first (from modprobe --show-depends). */
function bootModuleFiles(kernel: KernelCache): string[] {
  const files: string[] = [];
  for (const name of BOOT_MODULES) {
    const lines = run('modprobe', [
      '-d',
      kernel.root,
      '-S',
      kernel.release,
      '--show-depends',
      name,
    ]).split('\n');
    for (const line of lines) {
      const path = /^insmod (\S+)/.exec(line)?.[1];
      if (path && !files.includes(path)) files.push(path);
    }
  }
  return files;
}

function busyboxPath(): string {
  const path = run('dpkg-query', ['-L', 'busybox-static'])
    .split('\n')
    .find((p) => /\/s?bin\/busybox$/.test(p));
  if (!path) throw new LabError('busybox-static is installed but ships no busybox binary?');
  return path;
}

/** Reads a module file, decompressing .xz/.zst/.gz so that busybox insmod can load it. */
function moduleBytes(path: string): Buffer {
  const tools: Record<string, string[]> = {
    '.xz': ['xz', '-dc'],
    '.zst': ['zstd', '-dcq'],
    '.gz': ['gzip', '-dc'],
  };
  const decompressor = Object.entries(tools).find(([ext]) => path.endsWith(ext))?.[1];
  if (!decompressor) return readFileSync(path);
  const [tool = '', ...args] = decompressor;
  return execFileSync(tool, [...args, path], { maxBuffer: 256 * 1024 * 1024 });
}

export function ensureInitramfs(kernel: KernelCache): string {
  const modules = bootModuleFiles(kernel);
  const busybox = busyboxPath();
  const init = readFileSync(join(GUEST_DIR, 'init.sh'));
  const modprobeHelper = readFileSync(join(GUEST_DIR, 'lab-modprobe.sh'));
  const key = createHash('sha256')
    .update(init)
    .update(modprobeHelper)
    .update(modules.join('\n'))
    .update(`${busybox} ${statSync(busybox).size} ${statSync(busybox).mtimeMs}`)
    .digest('hex');
  const keyFile = `${kernel.initramfs}.key`;
  if (
    existsSync(kernel.initramfs) &&
    existsSync(keyFile) &&
    readFileSync(keyFile, 'utf8') === key
  ) {
    return kernel.initramfs;
  }

  const staging = mkdtempSync(join(kernel.dir, '.initramfs-'));
  try {
    const tree = join(staging, 'tree');
    for (const dir of ['bin', 'sbin', 'dev', 'proc', 'sys', 'out', 'host', 'lib/modules']) {
      mkdirSync(join(tree, dir), { recursive: true });
    }
    copyFileSync(busybox, join(tree, 'bin/busybox'));
    run('ln', ['-s', 'busybox', join(tree, 'bin/sh')]);
    writeFileSync(join(tree, 'init'), init, { mode: 0o755 });
    writeFileSync(join(tree, 'sbin/lab-modprobe'), modprobeHelper, { mode: 0o755 });
    const order = modules.map((path, i) => {
      const name = `${String(i).padStart(2, '0')}-${basename(path).replace(/\.(xz|zst|gz)$/, '')}`;
      writeFileSync(join(tree, 'lib/modules', name), moduleBytes(path));
      return name;
    });
    writeFileSync(join(tree, 'modules.order'), order.join('\n') + '\n');
    const archive = join(staging, 'initramfs.cpio.gz');
    run('sh', [
      '-c',
      'cd "$1" && find . | cpio -o -H newc --quiet | gzip -1 > "$2"',
      'sh',
      tree,
      archive,
    ]);
    renameSync(archive, kernel.initramfs);
    writeFileSync(keyFile, key);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return kernel.initramfs;
}
