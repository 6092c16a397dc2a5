// The one place the compiled addon is loaded.
import bindings from 'bindings';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeBinding } from './native.js';

// lib/kernel/ and dist/kernel/ both sit two levels below the package root, where build/ lives. bindings cannot
// find the root from an ES module's stack on its own, so it is given explicitly.
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const native = bindings({
  bindings: 'ipvs_native',
  module_root: packageRoot,
}) as NativeBinding;
