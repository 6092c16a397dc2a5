// A director's desired state with a shared part: its own serve config (VRRP, local services,
// reconcileInterval, flushOnStop) merged with the services of the fleet's shared state. A service
// is either local or shared: the same identity in both refuses the merge, naming both places.
// VRRP's trackServices may name shared services.
import { parseConfigDocument } from '../health/config-file.js';
import { validateHealthConfig } from '../health/config.js';
import { validateVrrpConfig } from '../vrrp/config.js';
import type { ServeConfig } from './serve-config.js';
import type { SharedService } from './shared-services.js';

/** The local file's text as last read, or none (a director that takes everything from etcd). */
export interface LocalConfigText {
  file: string;
  text: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates the merge; throws a HealthConfigError (file and line) or an Error naming the key. */
export function mergeDesiredState(
  local: LocalConfigText | undefined,
  shared: readonly SharedService[],
): ServeConfig {
  const merge = (value: unknown): ServeConfig => {
    // An empty file is an empty config; a file without services holds only what is local.
    if (value !== null && value !== undefined && !isRecord(value)) validateHealthConfig(value);
    const { vrrp, services, ...rest } = isRecord(value) ? value : {};
    const health = validateHealthConfig({ ...rest, services: services ?? [] });
    const localIds = new Map(health.services.map((s) => [s.id, s.path]));
    for (const { key, service } of shared) {
      const path = localIds.get(service.id);
      if (path !== undefined)
        throw new Error(
          `${key}: service ${service.id} is also in ${local?.file ?? 'the local config'} (${path}); ` +
            'a service is either local or shared',
        );
    }
    health.services.push(...shared.map((s) => ({ ...s.service, path: s.key })));
    const ids = health.services.map((s) => s.id);
    return { health, vrrp: vrrp === undefined ? [] : validateVrrpConfig(vrrp, { services: ids }) };
  };
  return local ? parseConfigDocument(local.text, local.file, merge) : merge({});
}
