// `ipvs serve`'s command line, read with node's util.parseArgs. Returns the options or the
// message of a usage error (exit 2).
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { netnsPath } from '../global-options.js';
import { fleetPrefix } from '../../fleet/shared-services.js';
import type { LogLevel } from '../../health/log.js';
import { parseListenAddress, type ListenAddress } from '../../observe/listen-address.js';
import { errorMessage } from '../../model/guards.js';

export interface FleetOptions {
  urls: string[];
  prefix: string;
  name: string;
  statusTtlSeconds: number;
}

export interface ServeOptions {
  /** The local config; optional with --etcd. */
  file: string | undefined;
  netns: string | undefined;
  flushOnStop: boolean | undefined;
  logLevel: LogLevel;
  checkOnly: boolean;
  listen: ListenAddress | undefined;
  fleet: FleetOptions | undefined;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const DEFAULT_STATUS_TTL_SECONDS = 10;

const VALUE_NAMES: Readonly<Record<string, string>> = {
  netns: 'a path',
  listen: 'an address',
  'log-level': 'a level',
  etcd: 'a URL',
  prefix: 'a prefix',
  name: 'a name',
  'status-ttl': 'a number of seconds',
};

/** util.parseArgs' messages in the command's words: "unknown option --x", "--netns needs a path". */
function usageError(error: unknown): string {
  const message = errorMessage(error);
  const code = (error as { code?: string }).code;
  const option = /'(-{1,2}[\w-]+)/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
    return `${option} needs ${VALUE_NAMES[option.replace(/^-+/, '')] ?? 'a value'}`;
  return message;
}

export function parseServeArgs(argv: readonly string[]): ServeOptions | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        netns: { type: 'string' },
        listen: { type: 'string' },
        'flush-on-stop': { type: 'boolean' },
        check: { type: 'boolean' },
        'log-level': { type: 'string' },
        etcd: { type: 'string' },
        prefix: { type: 'string' },
        name: { type: 'string' },
        'status-ttl': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usageError(error);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1)
    return `one CONFIG only (got ${positionals[0] ?? ''} and ${positionals[1] ?? ''})`;
  const file = positionals[0];
  if (values.netns === '') return '--netns needs a path';

  let listen: ListenAddress | undefined;
  if (values.listen !== undefined) {
    try {
      listen = parseListenAddress(values.listen, '--listen');
    } catch (error) {
      return errorMessage(error);
    }
  }
  const level = values['log-level'] ?? 'info';
  if (!LEVELS.includes(level as LogLevel)) return `--log-level must be one of ${LEVELS.join(', ')}`;

  let fleet: FleetOptions | undefined;
  if (values.etcd !== undefined) {
    const urls = values.etcd.split(',').map((url) => url.trim());
    if (urls.some((url) => url.length === 0)) return '--etcd needs URLs, comma-separated';
    if (values.prefix === undefined) return '--etcd needs --prefix';
    let prefix: string;
    try {
      prefix = fleetPrefix(values.prefix);
    } catch (error) {
      return errorMessage(error);
    }
    const ttl = Number(values['status-ttl'] ?? DEFAULT_STATUS_TTL_SECONDS);
    if (!Number.isInteger(ttl) || ttl < 1)
      return '--status-ttl must be a whole number of seconds, 1 or more';
    const name = values.name ?? hostname();
    if (name.length === 0 || name.includes('/')) return '--name must be non-empty, without /';
    fleet = { urls, prefix, name, statusTtlSeconds: ttl };
  } else {
    for (const option of ['prefix', 'name', 'status-ttl'] as const)
      if (values[option] !== undefined) return `--${option} needs --etcd`;
    if (file === undefined) return 'CONFIG is missing';
  }
  return {
    file,
    netns: values.netns === undefined ? undefined : netnsPath(values.netns),
    flushOnStop: values['flush-on-stop'],
    logLevel: level as LogLevel,
    checkOnly: values.check ?? false,
    listen,
    fleet,
  };
}
