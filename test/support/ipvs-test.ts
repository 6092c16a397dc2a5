// Helpers shared by the kernel suites: commands in this or another network namespace, ipvsadm's
// views of the table, and capturing what a call rejected with (synchronous throws included).
import { IpvsError } from '../../lib/index.js';
import type { Stats } from '../../lib/index.js';
import { sh } from './sh.js';

/** Runs a command in the test's namespace, or in `netns` (a name under /run/netns) when given. */
export function run(netns: string | undefined, file: string, ...args: string[]): string {
  return netns === undefined ? sh(file, ...args) : sh('ip', 'netns', 'exec', netns, file, ...args);
}

/**
 * A dummy interface with 192.168.8.10/24 and 2001:db8:8::10/64: IPVS checks direct-routing and
 * tunnel destinations against routes, so a namespace needs one before adding them.
 */
export function addLan(netns?: string, name = 'lan0'): void {
  run(netns, 'ip', 'link', 'add', name, 'type', 'dummy');
  run(netns, 'ip', 'address', 'add', '192.168.8.10/24', 'dev', name);
  run(netns, 'ip', 'address', 'add', '2001:db8:8::10/64', 'dev', name, 'nodad');
  run(netns, 'ip', 'link', 'set', name, 'up');
}

/** `ipvsadm -S -n`, one rule a line, sorted (the kernel lists in hash order). */
export function saved(netns?: string): string[] {
  return run(netns, 'ipvsadm', '-S', '-n')
    .split('\n')
    .filter((line) => line.length > 0)
    .sort();
}

/** The `  -> ...` rows of an `ipvsadm -Ln ...` listing, whitespace collapsed. */
export function listedDestinations(...args: string[]): string[] {
  return sh('ipvsadm', '-Ln', ...args)
    .split('\n')
    .filter((line) => line.trimStart().startsWith('->') && !line.includes('RemoteAddress'))
    .map((line) => line.trim().replace(/\s+/g, ' '));
}

/** What `fn` failed with, whether it threw at once or returned a promise that rejected. */
export async function failureOf(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** The IpvsError `fn` failed with; anything else fails the test with what it was. */
export async function ipvsErrorOf(fn: () => unknown): Promise<IpvsError> {
  const error = await failureOf(fn);
  if (!(error instanceof IpvsError))
    throw new Error(`expected an IpvsError, got ${String(error)}`, { cause: error });
  return error;
}

export { zeroStats } from './stats.js';

/** Drops the fields that change by themselves (stats, live counters) before comparing. */
export function withoutStats<T extends { stats: Stats }>(value: T): Omit<T, 'stats'> {
  const rest: Partial<T> = { ...value };
  delete rest.stats;
  return rest as Omit<T, 'stats'>;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
