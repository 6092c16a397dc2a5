// Argument parsing shared by prepare-real-server, check-director and check-real-server.
import { netnsPath } from '../global-options.js';
import { parseArgs } from 'node:util';
import { errorMessage } from '../../model/guards.js';

export interface ParsedArgs {
  vip: string;
  mode: string;
  /** A namespace file: --netns NAME means /run/netns/NAME, a path is taken as it is. */
  netns: string | undefined;
  director: string | undefined;
  undo: boolean;
}

/** Thrown for bad command lines: the command prints it with its usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseRealServerArgs(
  argv: readonly string[],
  extra: { director?: boolean; undo?: boolean } = {},
): ParsedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        vip: { type: 'string' },
        mode: { type: 'string' },
        netns: { type: 'string' },
        ...(extra.director ? { director: { type: 'string' } } : {}),
        ...(extra.undo ? { undo: { type: 'boolean' } } : {}),
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const text = (name: string): string | undefined => {
    const value = (values as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  };
  const vip = text('vip');
  const mode = text('mode');
  if (vip === undefined) throw new UsageError('--vip is required');
  if (mode === undefined) throw new UsageError('--mode is required (nat, dr or tun)');
  const netns = text('netns');
  return {
    vip,
    mode,
    netns: netns === undefined ? undefined : netnsPath(netns),
    director: text('director'),
    undo: (values as Record<string, unknown>).undo === true,
  };
}

/** Runs a command body: usage errors exit 2 with the usage, other errors exit 1 with the message. */
export async function guarded(usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${usage}\n`);
      return 2;
    }
    process.stderr.write(`${errorMessage(error)}\n`);
    return 1;
  }
}
