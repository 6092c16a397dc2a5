// Validates one check of the config: its kind, its target and its timing.
import { isIP } from 'node:net';
import { HealthConfigError, show, type ConfigPath } from './config-error.js';
import { canonicalAddress } from '../model/identity.js';
import { durationAt, integerAt, record } from './config-fields.js';
import type { CheckKind, CheckSpec, CheckTarget, CheckTiming, CustomCheck } from './types.js';

export interface CheckContext {
  customChecks: Readonly<Record<string, CustomCheck>>;
}

const TIMING_FIELDS = [
  'type',
  'interval',
  'timeout',
  'retries',
  'retryDelay',
  'rise',
  'fall',
  'address',
  'port',
];
const FIELDS_OF: Readonly<Record<string, readonly string[]>> = {
  tcp: [],
  http: ['path', 'host', 'expectStatus', 'bodyMatch'],
  https: ['path', 'host', 'expectStatus', 'bodyMatch', 'verifyTls'],
  command: ['argv'],
  custom: ['run'],
};

function timing(path: ConfigPath, raw: Record<string, unknown>): CheckTiming {
  const at = (field: string): ConfigPath => [...path, field];
  const timeoutMs = durationAt(at('timeout'), raw.timeout, 3000, 1);
  return {
    intervalMs: durationAt(at('interval'), raw.interval, 5000, 1),
    timeoutMs,
    retries: integerAt(at('retries'), raw.retries, 0, 100, 1),
    retryDelayMs: durationAt(at('retryDelay'), raw.retryDelay, 1000),
    rise: integerAt(at('rise'), raw.rise, 1, 1000, 1),
    fall: integerAt(at('fall'), raw.fall, 1, 1000, 1),
  };
}

/** "200", 200 or "200-299" as an inclusive range. */
function statusRange(path: ConfigPath, value: unknown): readonly [number, number] {
  const text = typeof value === 'number' ? String(value) : value;
  const match = typeof text === 'string' ? /^(\d{3})(?:-(\d{3}))?$/.exec(text.trim()) : null;
  const low = Number(match?.[1]);
  const high = match?.[2] === undefined ? low : Number(match[2]);
  if (!match || low < 100 || high > 599 || high < low) {
    throw new HealthConfigError(
      path,
      `must be an HTTP status (100-599) or a range such as "200-299", got ${show(value)}`,
    );
  }
  return [low, high];
}

function httpKind(
  path: ConfigPath,
  raw: Record<string, unknown>,
  type: 'http' | 'https',
): CheckKind {
  const requestPath = raw.path ?? '/';
  if (typeof requestPath !== 'string' || !requestPath.startsWith('/') || /[\s]/.test(requestPath)) {
    throw new HealthConfigError(
      [...path, 'path'],
      `must be a request path starting with / and without spaces, got ${show(raw.path)}`,
    );
  }
  if (
    raw.host !== undefined &&
    (typeof raw.host !== 'string' || !/^[A-Za-z0-9.:[\]-]{1,255}$/.test(raw.host))
  ) {
    throw new HealthConfigError(
      [...path, 'host'],
      `must be a host name (optionally with :port), got ${show(raw.host)}`,
    );
  }
  const statuses = raw.expectStatus ?? [200];
  if (!Array.isArray(statuses) || statuses.length === 0) {
    throw new HealthConfigError(
      [...path, 'expectStatus'],
      `must be a non-empty list of statuses or ranges, got ${show(statuses)}`,
    );
  }
  let bodyMatch: RegExp | undefined;
  if (raw.bodyMatch !== undefined) {
    if (typeof raw.bodyMatch !== 'string')
      throw new HealthConfigError(
        [...path, 'bodyMatch'],
        `must be a regular expression as text, got ${show(raw.bodyMatch)}`,
      );
    try {
      bodyMatch = new RegExp(raw.bodyMatch);
    } catch (error) {
      throw new HealthConfigError(
        [...path, 'bodyMatch'],
        `is not a valid regular expression: ${(error as Error).message}`,
      );
    }
  }
  const verifyTls = raw.verifyTls ?? false;
  if (typeof verifyTls !== 'boolean')
    throw new HealthConfigError(
      [...path, 'verifyTls'],
      `must be true or false, got ${show(verifyTls)}`,
    );
  return {
    type,
    path: requestPath,
    host: raw.host,
    expectStatus: statuses.map((s: unknown, i) => statusRange([...path, 'expectStatus', i], s)),
    bodyMatch,
    verifyTls,
  };
}

function commandKind(path: ConfigPath, raw: Record<string, unknown>): CheckKind {
  const argv = raw.argv;
  if (!Array.isArray(argv) || argv.length === 0) {
    throw new HealthConfigError(
      [...path, 'argv'],
      `must be a non-empty list: the program, then its arguments (no shell), got ${show(argv)}`,
    );
  }
  argv.forEach((arg: unknown, i) => {
    if (typeof arg !== 'string' || (i === 0 && arg === '') || arg.includes('\0')) {
      throw new HealthConfigError(
        [...path, 'argv', i],
        `must be a string${i === 0 ? ' naming the program' : ''} without NUL bytes, got ${show(arg)}`,
      );
    }
  });
  return { type: 'command', argv: argv as [string, ...string[]] };
}

function customKind(
  path: ConfigPath,
  raw: Record<string, unknown>,
  context: CheckContext,
): CheckKind {
  const run = raw.run;
  if (typeof run === 'function')
    return { type: 'custom', run: run as CustomCheck, name: run.name || 'anonymous' };
  if (typeof run === 'string') {
    const found = Object.hasOwn(context.customChecks, run) ? context.customChecks[run] : undefined;
    if (found) return { type: 'custom', run: found, name: run };
    const known = Object.keys(context.customChecks);
    throw new HealthConfigError(
      [...path, 'run'],
      `names no custom check given to the HealthChecker (${known.length ? `known: ${known.join(', ')}` : 'none were given'}), got ${show(run)}`,
    );
  }
  throw new HealthConfigError(
    [...path, 'run'],
    `must be a function or the name of one in customChecks, got ${show(run)}`,
  );
}

function target(path: ConfigPath, raw: Record<string, unknown>, dest: CheckTarget): CheckTarget {
  let address = dest.address;
  if (raw.address !== undefined) {
    if (typeof raw.address !== 'string' || isIP(raw.address) === 0)
      throw new HealthConfigError(
        [...path, 'address'],
        `must be an IPv4 or IPv6 address, got ${show(raw.address)}`,
      );
    address = canonicalAddress(raw.address);
  }
  const port = integerAt([...path, 'port'], raw.port, 1, 65535, dest.port);
  return { address, port };
}

/** One check, aimed at `dest` unless it names its own address or port. */
export function checkSpec(
  path: ConfigPath,
  value: unknown,
  dest: CheckTarget,
  context: CheckContext,
): CheckSpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HealthConfigError(path, `must be a mapping with a type, got ${show(value)}`);
  const type = (value as Record<string, unknown>).type;
  if (typeof type !== 'string' || !Object.hasOwn(FIELDS_OF, type)) {
    throw new HealthConfigError(
      [...path, 'type'],
      `must be one of ${Object.keys(FIELDS_OF).join(', ')}, got ${show(type)}`,
    );
  }
  const raw = record(path, value, [...TIMING_FIELDS, ...(FIELDS_OF[type] ?? [])]);
  let kind: CheckKind;
  if (type === 'http' || type === 'https') kind = httpKind(path, raw, type);
  else if (type === 'command') kind = commandKind(path, raw);
  else if (type === 'custom') kind = customKind(path, raw, context);
  else kind = { type: 'tcp' };
  return { ...kind, target: target(path, raw, dest), timing: timing(path, raw) };
}
