// The one place the compiled addon is loaded: once, on first use (importing the package loads
// nothing native), found the way the install script found it, and checked before it is trusted.
//
// The file is located by node-gyp-build, the resolver prebuildify's prebuilds are made for:
// build/Release or build/Debug when the addon was compiled here (the install script compiles only
// when no prebuild fits, or on --build-from-source), else prebuilds/<platform>-<arch>/ by tags
// (napi, glibc/musl). The install script (`node-gyp-build`) runs the same resolver, so a package
// that installed without compiling loads at run time the file the install tested.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import nodeGypBuild from 'node-gyp-build';
import type { NativeBinding } from './native.js';
import { nativeShapeProblems, isNativeBinding } from './native-shape.js';
import { errorMessage } from '../model/guards.js';

/** The N-API version the addon is compiled for (NAPI_VERSION in binding.gyp and CMakeLists.txt). */
export const NAPI_VERSION = 8;

// lib/kernel/ and dist/kernel/ both sit two levels below the package root.
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type AddonLoadErrorCode =
  'ADDON_NOT_FOUND' | 'ADDON_NAPI_TOO_OLD' | 'ADDON_LOAD_FAILED' | 'ADDON_WRONG_SHAPE';

/** The addon could not be found, loaded or trusted; `code` says which, the message how to fix it. */
export class AddonLoadError extends Error {
  override readonly name = 'AddonLoadError';
  constructor(
    readonly code: AddonLoadErrorCode,
    message: string,
    /** The file that failed, or the places searched when none was found. */
    readonly searched: readonly string[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** What the loader needs to know about the running process (tests pass their own). */
export interface AddonHost {
  platform: string;
  arch: string;
  node: string;
  abi: string;
  napi: number;
  libc: string;
  /** IPVS_NATIVE_PREBUILD: node-gyp-build's override of the folder searched. */
  override: string | undefined;
}

export function currentHost(): AddonHost {
  return {
    platform: platform(),
    arch: arch(),
    node: process.version,
    abi: process.versions.modules,
    napi: Number(process.versions.napi),
    // node-gyp-build's own test: Alpine is the musl distribution it knows.
    libc: process.env.LIBC ?? (existsSync('/etc/alpine-release') ? 'musl' : 'glibc'),
    override: process.env.IPVS_NATIVE_PREBUILD,
  };
}

function describe(host: AddonHost): string {
  return (
    `Node ${host.node} (ABI ${host.abi}, N-API ${host.napi}) on ` +
    `${host.platform}-${host.arch} (${host.libc})`
  );
}

function searchList(root: string, host: AddonHost): string[] {
  const where = host.override ?? root;
  return [
    join(where, 'build', 'Release', '*.node'),
    join(where, 'build', 'Debug', '*.node'),
    join(where, 'prebuilds', `${host.platform}-${host.arch}`, `*.node (N-API, ${host.libc})`),
  ];
}

const FIX =
  'Fix: run `npm rebuild ipvs-native` in the project that depends on it (it compiles the addon ' +
  'with node-gyp: a C++17 compiler, make, python3 and Node headers are needed; in a clone of ' +
  'ipvs-native itself, `npm install`). Prebuilt addons ship for linux-x64 and linux-arm64 with glibc.';

// ELF e_machine values of the architectures Node runs on (os.arch() names).
const ELF_MACHINES: Readonly<Record<number, string>> = {
  3: 'ia32',
  21: 'ppc64',
  22: 's390x',
  40: 'arm',
  62: 'x64',
  183: 'arm64',
  243: 'riscv64',
};

/** The architecture an ELF object is for, 'not ELF', or undefined when unreadable. */
function elfArchitecture(file: string): string | undefined {
  try {
    const header = readFileSync(file).subarray(0, 20);
    if (header.length < 20 || header.toString('latin1', 0, 4) !== '\x7fELF') return 'not ELF';
    const machine = header.readUInt16LE(18);
    return ELF_MACHINES[machine] ?? `ELF machine ${machine}`;
  } catch {
    return undefined;
  }
}

// Plain words for why a file would not load. glibc reports an object for another architecture
// as "cannot open shared object file: No such file or directory", so the header is read first.
function diagnose(file: string, message: string, host: AddonHost): string {
  const architecture = elfArchitecture(file);
  if (architecture === 'not ELF') return 'it is not a compiled addon (no ELF header)';
  if (architecture !== undefined && architecture !== host.arch) {
    return `it was compiled for another architecture (${architecture}) than ${host.arch}`;
  }
  if (/NODE_MODULE_VERSION/.test(message)) {
    return `it was compiled for another Node ABI (this process has ABI ${host.abi})`;
  }
  if (/Node-API version|N-API version/i.test(message)) {
    return `it needs a newer N-API than this Node's ${host.napi}`;
  }
  if (/GLIBC_|GLIBCXX_/.test(message))
    return 'it needs a newer C or C++ library than this system has';
  return 'the dynamic loader refused it';
}

/**
 * Finds, loads and checks the addon below `root`. Throws AddonLoadError, whose message names the
 * files searched (or the one that failed), this process's Node ABI and N-API version against the
 * addon's, and the fix.
 */
export function loadAddon(root: string, host: AddonHost = currentHost()): NativeBinding {
  if (host.napi < NAPI_VERSION) {
    throw new AddonLoadError(
      'ADDON_NAPI_TOO_OLD',
      `ipvs-native needs N-API ${NAPI_VERSION} or later; this is ${describe(host)}. ` +
        'Fix: use Node 20 or later (package.json "engines").',
      [],
    );
  }
  let file: string;
  try {
    file = nodeGypBuild.path(root);
  } catch (cause) {
    const searched = searchList(root, host);
    throw new AddonLoadError(
      'ADDON_NOT_FOUND',
      `ipvs-native: no compiled addon fits ${describe(host)}. Searched:\n` +
        searched.map((path) => `  ${path}\n`).join('') +
        FIX,
      searched,
      { cause },
    );
  }
  let loaded: unknown;
  try {
    loaded = createRequire(import.meta.url)(file);
  } catch (cause) {
    const message = errorMessage(cause);
    throw new AddonLoadError(
      'ADDON_LOAD_FAILED',
      `ipvs-native: the addon ${file} would not load: ${diagnose(file, message, host)}. ` +
        `This is ${describe(host)}; the addon needs N-API ${NAPI_VERSION} or later.\n` +
        `The loader said: ${message}\n${FIX}`,
      [file],
      { cause },
    );
  }
  if (!isNativeBinding(loaded)) {
    throw new AddonLoadError(
      'ADDON_WRONG_SHAPE',
      `ipvs-native: the addon ${file} was built from other sources than this library: it lacks ` +
        `${nativeShapeProblems(loaded).join(', ')}. ${FIX}`,
      [file],
    );
  }
  return loaded;
}

let outcome: { binding: NativeBinding } | { error: unknown } | undefined;

/** The addon of this package, loaded on the first call; later calls return it (or rethrow). */
export function loadNative(): NativeBinding {
  if (outcome === undefined) {
    try {
      outcome = { binding: loadAddon(PACKAGE_ROOT) };
    } catch (error) {
      outcome = { error };
    }
  }
  if ('error' in outcome) throw outcome.error;
  return outcome.binding;
}
