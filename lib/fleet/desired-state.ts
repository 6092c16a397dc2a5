// A director's desired state with a shared part: its own serve config (VRRP, local services,
// reconcileInterval, flushOnStop) merged with the services of the fleet's shared state. A service
// is either local or shared: the same identity in both refuses the merge, naming both places.
// VRRP's trackServices may name shared services.
import { parseConfigDocument } from '../health/config-file.js';
import { HealthConfigError } from '../health/config-error.js';
import { validateHealthConfig } from '../health/config.js';
import { validateServeConfig, type ServeConfig } from './serve-config.js';
import type { SharedService } from './shared-services.js';

/** The local file's text as last read, or none (a director that takes everything from etcd). */
export interface LocalConfigText {
  file: string;
  text: string;
}

/** The serve config's sections above the health checker's (validated on the merge). */
const LOCAL_SECTIONS = new Set(['vrrp', 'bgp', 'consistentHashing']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates the merge as one serve config (the local file's settings, `vrrp`, `bgp` and
 * `consistentHashing` over local and shared services alike); throws a HealthConfigError (file and
 * line) for the local part, or an Error naming the key for a shared one.
 */
export function mergeDesiredState(
  local: LocalConfigText | undefined,
  shared: readonly SharedService[],
): ServeConfig {
  const merge = (value: unknown): ServeConfig => {
    // An empty file is an empty config; a file without services holds only what is local.
    if (value !== null && value !== undefined && !isRecord(value)) validateHealthConfig(value);
    const document = isRecord(value) ? value : {};
    const services: unknown = document.services ?? [];
    const listed: readonly unknown[] = Array.isArray(services) ? (services as unknown[]) : [];
    if (shared.length === 0) return validateServeConfig({ ...document, services });
    // The local services alone (vrrp and bgp may name shared ones: they are checked on the merge).
    const healthPart = Object.fromEntries(
      Object.entries(document).filter(([field]) => !LOCAL_SECTIONS.has(field)),
    );
    const own = validateHealthConfig({ ...healthPart, services });
    const localIds = new Map(own.services.map((s) => [s.id, s.path]));
    for (const { key, service } of shared) {
      const path = localIds.get(service.id);
      if (path !== undefined)
        throw new Error(
          `${key}: service ${service.id} is also in ${local?.file ?? 'the local config'} (${path}); ` +
            'a service is either local or shared',
        );
    }
    const count = listed.length;
    try {
      const merged = validateServeConfig({
        ...document,
        services: [...listed, ...shared.map((s) => s.value)],
      });
      for (const service of merged.health.services) {
        const index = Number(/^services\[(\d+)\]/.exec(service.path)?.[1] ?? -1);
        if (index >= count) service.path = shared[index - count]?.key ?? service.path;
      }
      return merged;
    } catch (error) {
      // A shared entry the local settings refuse (a scheduler against consistentHashing): its key.
      const [field, index] = error instanceof HealthConfigError ? error.path : [];
      if (field === 'services' && typeof index === 'number' && index >= count) {
        const key = shared[index - count]?.key ?? 'the shared state';
        const message =
          error instanceof Error ? error.message.replace(/^services\[\d+\]\.?/, '') : '';
        throw new Error(`${key}: ${message.trim()}`, { cause: error });
      }
      throw error;
    }
  };
  return local ? parseConfigDocument(local.text, local.file, merge) : merge({});
}
