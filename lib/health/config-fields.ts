// Field readers shared by the config validators: each throws HealthConfigError naming the path.
import { isIP } from 'node:net';
import { HealthConfigError, show, type ConfigPath } from './config-error.js';
import { parseDuration } from './duration.js';

export function record(
  path: ConfigPath,
  value: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HealthConfigError(path, `must be a mapping (object), got ${show(value)}`);
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!known.includes(key))
      throw new HealthConfigError(
        [...path, key],
        `is not a known field (known: ${known.join(', ')})`,
      );
  }
  return object;
}

export function integerAt(
  path: ConfigPath,
  value: unknown,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new HealthConfigError(path, `must be an integer ${min}-${max}, got ${show(value)}`);
  }
  return value;
}

export function durationAt(path: ConfigPath, value: unknown, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value);
  if (ms === undefined)
    throw new HealthConfigError(
      path,
      `must be a duration such as 200ms, 2s or 1m (a number is milliseconds), got ${show(value)}`,
    );
  if (ms < min || ms > 86_400_000)
    throw new HealthConfigError(path, `must be between ${min}ms and 24h, got ${show(value)}`);
  return ms;
}

/** IPv6 in the form the kernel reports it (lower case, zeros compressed, no brackets), so that comparisons hold. */
export function canonicalAddress(address: string): string {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  return isIP(bare) === 6 ? new URL(`http://[${bare}]/`).hostname.slice(1, -1) : bare;
}
