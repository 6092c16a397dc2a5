// The whole `ipvs serve` config: the health checker's part (services, reconcileInterval,
// flushOnStop), the top-level `vrrp` list, whose trackServices must name the config's services,
// and the fleet's: `bgp` (health-gated announcements through FRR) and `consistentHashing` (the
// mh preset for directors behind ECMP). Errors carry the file, the line and the path, as the
// health config's do.
import { readFile } from 'node:fs/promises';
import { parseConfigDocument } from '../health/config-file.js';
import { validateHealthConfig, type ValidateOptions } from '../health/config.js';
import type { HealthConfig } from '../health/types.js';
import { validateVrrpConfig, type VrrpInstanceConfig } from '../vrrp/config.js';
import { validateBgpConfig, type BgpConfig } from './bgp-config.js';
import {
  consistentHashingAt,
  inCanonicalOrder,
  withConsistentHashing,
} from './consistent-hashing.js';

export interface ServeConfig {
  health: HealthConfig;
  vrrp: VrrpInstanceConfig[];
  /** Absent: this director announces nothing over BGP. */
  bgp: BgpConfig | undefined;
  consistentHashing: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a parsed serve config (YAML, JSON or an object built in code). */
export function validateServeConfig(value: unknown, options: ValidateOptions = {}): ServeConfig {
  if (!isRecord(value))
    return {
      health: validateHealthConfig(value, options),
      vrrp: [],
      bgp: undefined,
      consistentHashing: false,
    };
  const { vrrp, bgp, consistentHashing: preset, ...rest } = value;
  const consistentHashing = consistentHashingAt(preset);
  const input = consistentHashing
    ? { ...rest, services: withConsistentHashing(rest.services) }
    : rest;
  const validated = validateHealthConfig(input, options);
  const health = consistentHashing ? inCanonicalOrder(validated) : validated;
  return {
    health,
    vrrp: validateVrrpConfig(vrrp, { services: health.services.map((service) => service.id) }),
    bgp: bgp === undefined ? undefined : validateBgpConfig(bgp, health.services),
    consistentHashing,
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
