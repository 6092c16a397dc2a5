// Field readers shared by the config validators: each throws HealthConfigError naming the path.
import { isRecord } from '../model/guards.js';
import { HealthConfigError, show, type ConfigPath } from './config-error.js';
import { parseDuration } from './duration.js';

export function record(
  path: ConfigPath,
  value: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (!isRecord(value))
    throw new HealthConfigError(path, `must be a mapping (object), got ${show(value)}`);
  const object = value;
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
