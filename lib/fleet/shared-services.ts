// The fleet's key layout under a prefix, and the services it holds:
//   PREFIX/services/<service identity>  one service, JSON, as an entry of a serve config's list
//   PREFIX/directors/<name>             a director's status, bound to its lease
// A pushed file is a serve config with `services` only (what is local to a director, `vrrp`,
// `reconcileInterval`, `flushOnStop`, stays in its own file). Values are validated one by one
// when read, and each must sit under the key of its own identity, so that one identity is one key.
import { parseConfigDocument } from '../health/config-file.js';
import { validateHealthConfig } from '../health/config.js';
import { HealthConfigError } from '../health/config-error.js';
import type { ServiceConfig } from '../health/types.js';
import { errorMessage } from '../model/guards.js';

/** The prefix as given, without trailing slashes; refuses an empty one. */
export function fleetPrefix(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  if (trimmed.length === 0) throw new Error('--prefix must not be empty');
  return trimmed;
}

export const servicesPrefix = (prefix: string): string => `${prefix}/services/`;
export const directorsPrefix = (prefix: string): string => `${prefix}/directors/`;
export const serviceKey = (prefix: string, id: string): string => `${servicesPrefix(prefix)}${id}`;
export const directorKey = (prefix: string, name: string): string =>
  `${directorsPrefix(prefix)}${name}`;

/** A service read from the shared state, with the key it came from. */
export interface SharedService {
  key: string;
  service: ServiceConfig;
  /** The value as stored: the serve config's presets (consistentHashing) apply to it. */
  value: unknown;
}

/** Validates the services under `PREFIX/services/`; throws an Error naming the bad key. */
export function decodeSharedServices(
  prefix: string,
  entries: ReadonlyMap<string, string>,
): SharedService[] {
  const shared: SharedService[] = [];
  for (const [key, text] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new Error(`${key}: is not JSON: ${errorMessage(error)}`, { cause: error });
    }
    let service: ServiceConfig | undefined;
    try {
      [service] = validateHealthConfig({ services: [value] }).services;
    } catch (error) {
      // "services[0].port must be ..." names the entry's field: the key stands for services[0].
      const message =
        error instanceof HealthConfigError
          ? error.message.replace(/^services\[0\]\.?/, '')
          : errorMessage(error);
      throw new Error(`${key}: ${message.trim()}`, { cause: error });
    }
    if (!service) continue;
    const expected = serviceKey(prefix, service.id);
    if (key !== expected)
      throw new Error(`${key}: holds service ${service.id}, whose key is ${expected}`);
    shared.push({ key, service, value });
  }
  return shared;
}

const PUSHABLE = new Set(['services']);

/**
 * Parses and validates a file to push; returns the keys and values the prefix must hold (one per
 * service, the entry as written, in JSON). Throws, naming the file's line, before anything is
 * written.
 */
export function encodePushFile(text: string, file: string, prefix: string): Map<string, string> {
  return parseConfigDocument(text, file, (value) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      for (const field of Object.keys(value))
        if (!PUSHABLE.has(field))
          throw new HealthConfigError(
            [field],
            `is local to each director: keep it in the director's own serve config (a pushed file holds services only)`,
          );
    const health = validateHealthConfig(value);
    const raw = (value as { services: unknown[] }).services;
    return new Map(
      health.services.map((service, i) => [serviceKey(prefix, service.id), JSON.stringify(raw[i])]),
    );
  });
}
