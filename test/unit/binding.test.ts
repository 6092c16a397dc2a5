// The addon loader: found where the install script looks, checked before it is trusted, and a
// failure that says what was searched, which Node this is, and how to fix it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AddonLoadError,
  NAPI_VERSION,
  PACKAGE_ROOT,
  currentHost,
  loadAddon,
  loadNative,
  type AddonHost,
} from '../../lib/kernel/binding.js';
import { nativeShapeProblems } from '../../lib/kernel/native-shape.js';

const scratch = mkdtempSync(join(tmpdir(), 'ipvs-native-binding-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const host: AddonHost = {
  platform: 'linux',
  arch: 'x64',
  node: 'v20.20.2',
  abi: '115',
  napi: 9,
  libc: 'glibc',
  override: undefined,
};

function loadError(root: string, as: AddonHost = host): AddonLoadError {
  try {
    loadAddon(root, as);
  } catch (error) {
    if (error instanceof AddonLoadError) return error;
    throw error;
  }
  throw new Error(`loadAddon(${root}) did not fail`);
}

describe('loadAddon', () => {
  it('loads this checkout’s addon and checks it (the N-API version it was built for)', () => {
    const binding = loadAddon(PACKAGE_ROOT);
    expect(binding.napiVersion).toBe(NAPI_VERSION);
    expect(binding.constants.AF_INET6).toBe(10);
    expect(nativeShapeProblems(binding)).toEqual([]);
  });

  it('loadNative loads once and returns the same module', () => {
    expect(loadNative()).toBe(loadNative());
  });

  it('names every place searched, this Node and the fix when no addon is found', () => {
    const root = join(scratch, 'empty');
    mkdirSync(root);
    const error = loadError(root);
    expect(error.code).toBe('ADDON_NOT_FOUND');
    expect(error.searched).toEqual([
      join(root, 'build/Release/*.node'),
      join(root, 'build/Debug/*.node'),
      join(root, 'prebuilds/linux-x64/*.node (N-API, glibc)'),
    ]);
    for (const place of error.searched) expect(error.message).toContain(place);
    expect(error.message).toContain('Node v20.20.2 (ABI 115, N-API 9) on linux-x64 (glibc)');
    expect(error.message).toContain('npm rebuild ipvs-native');
  });

  it('searches the IPVS_NATIVE_PREBUILD folder instead when it is set', () => {
    const root = join(scratch, 'empty-too');
    mkdirSync(root);
    const error = loadError(root, { ...host, override: '/opt/ipvs' });
    expect(error.searched[0]).toBe('/opt/ipvs/build/Release/*.node');
  });

  it('names the file and passes on the dynamic loader’s words when a file will not load', () => {
    const root = join(scratch, 'garbage');
    mkdirSync(join(root, 'build', 'Release'), { recursive: true });
    const file = join(root, 'build', 'Release', 'ipvs_native.node');
    writeFileSync(file, 'not an ELF object');
    const error = loadError(root);
    expect(error.code).toBe('ADDON_LOAD_FAILED');
    expect(error.searched).toEqual([file]);
    expect(error.message).toContain(`the addon ${file} would not load`);
    expect(error.message).toContain('it is not a compiled addon (no ELF header)');
    expect(error.message).toContain('The loader said:');
    expect(error.message).toContain(`needs N-API ${NAPI_VERSION} or later`);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('refuses a Node whose N-API is older than the addon’s before touching any file', () => {
    const error = loadError(join(scratch, 'not-there'), { ...host, napi: NAPI_VERSION - 1 });
    expect(error.code).toBe('ADDON_NAPI_TOO_OLD');
    expect(error.message).toContain(`needs N-API ${NAPI_VERSION} or later`);
    expect(error.message).toContain(`N-API ${NAPI_VERSION - 1}`);
  });

  it('describes the running process', () => {
    const current = currentHost();
    expect(current.abi).toBe(process.versions.modules);
    expect(current.napi).toBe(Number(process.versions.napi));
  });
});

describe('nativeShapeProblems', () => {
  const real = loadNative();

  it('lists each missing or mistyped member of a module that is not this addon', () => {
    const module: Record<string, unknown> = { ...real, napiVersion: '8' };
    const constants: Record<string, unknown> = { ...real.constants };
    const commands: Record<string, unknown> = { ...real.constants.commands };
    delete module.open;
    delete constants.AF_INET;
    delete commands.flush;
    const problems = nativeShapeProblems({ ...module, constants: { ...constants, commands } });
    expect(problems).toEqual([
      'open()',
      'napiVersion',
      'constants.AF_INET',
      'constants.commands.flush',
    ]);
  });

  it('rejects what is not an object at all', () => {
    expect(nativeShapeProblems(undefined)).toEqual(['the module itself (not an object)']);
    expect(nativeShapeProblems({})).toContain('constants (not an object)');
  });
});
