// Builds the prebuilt N-API addons that ship in the package: prebuilds/linux-x64/ and
// prebuilds/linux-arm64/ (glibc), with prebuildify. Run by `npm pack` / `npm publish` (prepack);
// by hand: `npm run prebuild [-- x64|arm64 ...]`.
//
// - The arm64 addon is cross-compiled with Debian's g++-aarch64-linux-gnu.
// - The builds happen in a scratch folder that links to the sources, so the repository's own
//   build/ (what `npm install` compiled for development) is left as it was.
// - Node's headers come from the local installation (npm's `nodedir`, or the include/node beside
//   this node binary): this machine reaches no download site, and an N-API addon needs only the
//   N-API headers, which every Node 20+ ships.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Target {
  arch: 'x64' | 'arm64';
  /** Compiler variables for a cross build; none for a native one. */
  env: Record<string, string>;
  /** A program that must be on PATH, and the Debian package that has it. */
  needs?: { program: string; debianPackage: string };
}

const CROSS_ARM64 = 'aarch64-linux-gnu';
const TARGETS: Record<string, Target> = {
  x64: { arch: 'x64', env: {} },
  arm64: {
    arch: 'arm64',
    env: {
      CC: `${CROSS_ARM64}-gcc`,
      CXX: `${CROSS_ARM64}-g++`,
      LINK: `${CROSS_ARM64}-g++`,
      AR: `${CROSS_ARM64}-ar`,
      PREBUILD_STRIP_BIN: `${CROSS_ARM64}-strip`,
    },
    needs: { program: `${CROSS_ARM64}-g++`, debianPackage: 'g++-aarch64-linux-gnu' },
  },
};

function fail(message: string): never {
  console.error(`prebuild: ${message}`);
  process.exit(1);
}

function onPath(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

/** The folder whose include/node/ holds Node's headers, as node-gyp's `nodedir` wants it. */
export function nodeHeadersDir(): string | undefined {
  const candidates = [process.env.npm_config_nodedir, resolve(process.execPath, '..', '..')];
  return candidates.find(
    (dir): dir is string =>
      dir !== undefined && dir !== '' && existsSync(join(dir, 'include', 'node', 'node_api.h')),
  );
}

function scratchTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ipvs-native-prebuild-'));
  for (const entry of ['binding.gyp', 'native', 'package.json', 'node_modules']) {
    symlinkSync(join(root, entry), join(dir, entry));
  }
  return dir;
}

function build(target: Target, nodedir: string): void {
  if (target.needs && !onPath(target.needs.program)) {
    fail(
      `${target.needs.program} is not on PATH: install Debian's ${target.needs.debianPackage} ` +
        `to build the ${target.arch} addon`,
    );
  }
  rmSync(join(root, 'prebuilds', `linux-${target.arch}`), { recursive: true, force: true });
  const scratch = scratchTree();
  const started = Date.now();
  try {
    const result = spawnSync(
      join(root, 'node_modules', '.bin', 'prebuildify'),
      [
        '--napi',
        '--strip',
        '--tag-libc',
        `--target=node@${process.versions.node}`,
        `--arch=${target.arch}`,
        `--cwd=${scratch}`,
        `--out=${root}`,
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, ...target.env, npm_config_nodedir: nodedir, JOBS: 'max' },
      },
    );
    if (result.status !== 0) fail(`prebuildify for ${target.arch} failed (exit ${result.status})`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const folder = join(root, 'prebuilds', `linux-${target.arch}`);
  const built = readdirSync(folder).join(', ');
  console.log(`prebuild: ${folder}: ${built} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(TARGETS);
const nodedir = nodeHeadersDir();
if (nodedir === undefined) {
  fail(
    "no Node headers found (include/node/node_api.h beside this node, or npm's nodedir): " +
      'install Node from a release that ships them, or set npm_config_nodedir',
  );
}
for (const name of names) {
  const target = TARGETS[name];
  if (target === undefined)
    fail(`unknown target ${name}: one of ${Object.keys(TARGETS).join(', ')}`);
  build(target, nodedir);
}
