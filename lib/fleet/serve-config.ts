// The whole `ipvs serve` config: the health checker's part (services, reconcileInterval,
// flushOnStop) and the top-level `vrrp` list, whose trackServices must name the config's
// services. Errors carry the file, the line and the path, as the health config's do.
import { readFile } from 'node:fs/promises';
import { parseConfigDocument } from '../health/config-file.js';
import { validateHealthConfig, type ValidateOptions } from '../health/config.js';
import type { HealthConfig } from '../health/types.js';
import { validateVrrpConfig, type VrrpInstanceConfig } from '../vrrp/config.js';

export interface ServeConfig {
  health: HealthConfig;
  vrrp: VrrpInstanceConfig[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a parsed serve config (YAML, JSON or an object built in code). */
export function validateServeConfig(value: unknown, options: ValidateOptions = {}): ServeConfig {
  if (!isRecord(value) || !('vrrp' in value))
    return { health: validateHealthConfig(value, options), vrrp: [] };
  const { vrrp, ...rest } = value;
  const health = validateHealthConfig(rest, options);
  return {
    health,
    vrrp: validateVrrpConfig(vrrp, { services: health.services.map((service) => service.id) }),
  };
}

export function parseServeConfig(
  text: string,
  file: string,
  options: ValidateOptions = {},
): ServeConfig {
  return parseConfigDocument(text, file, (value) => validateServeConfig(value, options));
}

export async function loadServeConfig(
  file: string,
  options: ValidateOptions = {},
): Promise<ServeConfig> {
  return parseServeConfig(await readFile(file, 'utf8'), file, options);
}
