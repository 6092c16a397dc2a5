// The kernel's constants, as the addon read them from <linux/ip_vs.h> at build time.
//
// `constants` is a view that loads the addon on the first read of a member, so that modules may
// keep `const commands = constants.commands` at their top level without importing the package
// loading native code. After that first read every member is a plain value.
import { loadNative } from './binding.js';
import type { NativeConstants } from './native.js';
import { COMMAND_NAMES, CONSTANT_NAMES } from './native-shape.js';

function lazyRecord<K extends string>(
  names: readonly K[],
  load: () => Readonly<Record<K, unknown>>,
  view: object,
): void {
  const materialize = (): Readonly<Record<K, unknown>> => {
    const real = load();
    for (const name of names) {
      Object.defineProperty(view, name, { value: real[name], enumerable: true, writable: false });
    }
    return real;
  };
  for (const name of names) {
    Object.defineProperty(view, name, {
      get: () => materialize()[name],
      enumerable: true,
      configurable: true,
    });
  }
}

const commandsView = {};
lazyRecord(COMMAND_NAMES, () => loadNative().constants.commands, commandsView);

const constantsView = { commands: commandsView };
lazyRecord(CONSTANT_NAMES, () => loadNative().constants, constantsView);

// The view was given every member of NativeConstants (native-shape.ts checks the lists are
// complete at compile time, and the addon's values at load).
export const constants = constantsView as NativeConstants;
