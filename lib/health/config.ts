// Validates a health-check config (parsed YAML or JSON, or an object built in code) and fills in
// every default. Each error names the path of the bad value inside the config; nothing is
// partially accepted.
import type { ServiceSpec } from '../model/types.js';
import {
  describeService,
  DESTINATION_SPEC_FIELDS,
  destinationSpec,
  forwardMethod,
  SERVICE_SPEC_FIELDS,
  serviceSpec,
} from '../core/validate.js';
import { checkSpec, type CheckContext } from './config-check.js';
import { formatPath, HealthConfigError, show, type ConfigPath } from './config-error.js';
import { canonicalAddress, endpointText } from '../model/identity.js';
import { durationAt, integerAt, record } from './config-fields.js';
import type {
  CustomCheck,
  DestinationConfig,
  DestinationState,
  FailureAction,
  HealthConfig,
  ServiceConfig,
} from './types.js';

export interface ValidateOptions {
  /** Functions that `check: { type: custom, run: NAME }` refers to. */
  customChecks?: Readonly<Record<string, CustomCheck>>;
}

const SERVICE_FIELDS = [...SERVICE_SPEC_FIELDS];
const HEALTH_SERVICE_FIELDS = [
  'destinations',
  'check',
  'onFailure',
  'quorum',
  'hysteresis',
  'sorryServer',
];
const DEST_FIELDS = [...DESTINATION_SPEC_FIELDS];
const DEFAULT_RECONCILE_MS = 10_000;

function booleanAt(path: ConfigPath, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new HealthConfigError(path, `must be true or false, got ${show(value)}`);
  return value;
}

function failureAction(path: ConfigPath, value: unknown, fallback: FailureAction): FailureAction {
  if (value === undefined) return fallback;
  if (value !== 'inhibit' && value !== 'remove')
    throw new HealthConfigError(path, `must be 'inhibit' or 'remove', got ${show(value)}`);
  return value;
}

function pick(source: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) if (source[field] !== undefined) out[field] = source[field];
  return out;
}

/** Validates through lib/validate.ts, so that the config accepts exactly what the API accepts. */
function withFieldErrors<T>(path: ConfigPath, validate: (field: string) => T): T {
  try {
    return validate(formatPath(path));
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError)
      throw HealthConfigError.fromFieldError(path, error);
    throw error;
  }
}

function destinationState(
  path: ConfigPath,
  raw: Record<string, unknown>,
  service: ServiceSpec,
): DestinationState {
  const fields = pick(raw, DEST_FIELDS);
  const native = withFieldErrors(path, (field) =>
    destinationSpec(fields, serviceSpec(service), field),
  );
  const state: DestinationState = {
    address: canonicalAddress(native.address),
    port: native.port,
    forward: forwardMethod('forward', fields.forward),
    weight: native.weight ?? 1,
    upperThreshold: native.upperThreshold ?? 0,
    lowerThreshold: native.lowerThreshold ?? 0,
  };
  if (fields.tunnel !== undefined)
    state.tunnel = fields.tunnel as NonNullable<DestinationState['tunnel']>;
  return state;
}

function destinationId(dest: DestinationState): string {
  return endpointText(dest.address, dest.port);
}

function serviceConfig(path: ConfigPath, value: unknown, context: CheckContext): ServiceConfig {
  const raw = record(path, value, [...SERVICE_FIELDS, ...HEALTH_SERVICE_FIELDS]);
  const spec = pick(raw, SERVICE_FIELDS) as unknown as ServiceSpec; // checked by serviceSpec() just below
  const native = withFieldErrors(path, (field) => serviceSpec(spec, field));
  const onFailure = failureAction([...path, 'onFailure'], raw.onFailure, 'inhibit');
  if (raw.check !== undefined && raw.check !== null)
    checkSpec([...path, 'check'], raw.check, { address: '0.0.0.0', port: 0 }, context);

  const list = raw.destinations ?? [];
  if (!Array.isArray(list))
    throw new HealthConfigError([...path, 'destinations'], `must be a list, got ${show(list)}`);
  const destinations: DestinationConfig[] = [];
  const seen = new Map<string, number>();
  list.forEach((item: unknown, i) => {
    const destPath = [...path, 'destinations', i];
    const destRaw = record(destPath, item, [...DEST_FIELDS, 'check', 'onFailure']);
    const dest = destinationState(destPath, destRaw, spec);
    const id = destinationId(dest);
    const earlier = seen.get(id);
    if (earlier !== undefined)
      throw new HealthConfigError(
        destPath,
        `repeats destination ${id} (already at destinations[${earlier}])`,
      );
    seen.set(id, i);
    const checkInput = destRaw.check === undefined ? raw.check : destRaw.check;
    const checkPath = destRaw.check === undefined ? [...path, 'check'] : [...destPath, 'check'];
    destinations.push({
      id,
      dest,
      check:
        checkInput === undefined || checkInput === null
          ? undefined
          : checkSpec(checkPath, checkInput, dest, context),
      onFailure: failureAction([...destPath, 'onFailure'], destRaw.onFailure, onFailure),
      path: formatPath(destPath),
    });
  });

  let sorryServer: DestinationState | undefined;
  if (raw.sorryServer !== undefined) {
    const sorryPath = [...path, 'sorryServer'];
    sorryServer = destinationState(
      sorryPath,
      record(sorryPath, raw.sorryServer, DEST_FIELDS),
      spec,
    );
    const clash = seen.get(destinationId(sorryServer));
    if (clash !== undefined)
      throw new HealthConfigError(
        sorryPath,
        `is also destinations[${clash}]: the sorry server must be a server of its own`,
      );
  }
  const quorum = integerAt([...path, 'quorum'], raw.quorum, 0, 0x7fffffff, sorryServer ? 1 : 0);
  const hysteresis = integerAt([...path, 'hysteresis'], raw.hysteresis, 0, 0x7fffffff, 0);
  if (hysteresis > quorum)
    throw new HealthConfigError(
      [...path, 'hysteresis'],
      `must not exceed quorum (${quorum}), got ${hysteresis}`,
    );
  return {
    id: describeService(native),
    spec: { ...spec, scheduler: native.scheduler ?? 'wlc' },
    scheduler: native.scheduler ?? 'wlc',
    destinations,
    quorum,
    hysteresis,
    sorryServer,
    path: formatPath(path),
  };
}

/** Checks a whole config and returns it normalised; throws HealthConfigError naming the path. */
export function validateHealthConfig(value: unknown, options: ValidateOptions = {}): HealthConfig {
  const raw = record([], value, ['services', 'reconcileInterval', 'flushOnStop']);
  if (!Array.isArray(raw.services))
    throw new HealthConfigError(
      ['services'],
      `must be a list of virtual services, got ${show(raw.services)}`,
    );
  const context: CheckContext = { customChecks: options.customChecks ?? {} };
  const services: ServiceConfig[] = [];
  const seen = new Map<string, number>();
  raw.services.forEach((item: unknown, i) => {
    const service = serviceConfig(['services', i], item, context);
    const earlier = seen.get(service.id);
    if (earlier !== undefined)
      throw new HealthConfigError(
        ['services', i],
        `repeats service ${service.id} (already at services[${earlier}])`,
      );
    seen.set(service.id, i);
    services.push(service);
  });
  return {
    services,
    reconcileIntervalMs: durationAt(
      ['reconcileInterval'],
      raw.reconcileInterval,
      DEFAULT_RECONCILE_MS,
    ),
    flushOnStop: booleanAt(['flushOnStop'], raw.flushOnStop, false),
  };
}
