// The desired state that apply() and the health checker converge to: the services (each with its
// destinations) that should exist. The fields are the library's own ServiceSpec and
// DestinationSpec, so a JSON or YAML file reads like the API calls:
//
//   services:
//     - protocol: tcp
//       address: 192.168.8.200
//       port: 80
//       scheduler: rr
//       destinations:
//         - { address: 192.168.8.20, forward: route, weight: 1 }
//
// Validation goes through the library's validators, so every error names its path
// ("services[0].destinations[1].weight must be an integer 0-2147483647, got -1").
import { constants } from '../kernel/constants.js';
import type { NativeDest, NativeService } from '../kernel/native.js';
import { describeService, destinationSpec, serviceSpec } from '../core/validate.js';
import { isRecord } from '../model/guards.js';
import { destinationIdentity } from '../model/identity.js';
import type { DestinationSpec, ServiceSpec } from '../model/types.js';
import { runAtOnce, runInSlices, type SlicedWork } from './slices.js';

export type DesiredService = ServiceSpec & { destinations?: DestinationSpec[] };

export interface DesiredState {
  services: DesiredService[];
}

/** A validated service and its destinations, in the kernel's terms, with its identity. */
export interface NormalService {
  /** serviceIdentity(): "tcp 192.168.8.200:80", "fwmark 5". */
  key: string;
  native: NativeService;
  spec: ServiceSpec;
  destinations: NormalDestination[];
}

export interface NormalDestination {
  /** destinationIdentity(): "192.168.8.20:80". */
  key: string;
  native: NativeDest;
  spec: DestinationSpec;
}

/** A tunnel destination without tunnel settings is an ipip one: make both spellings compare equal. */
function withTunnelDefaults(dest: NativeDest): NativeDest {
  const { tunType, tunPort, tunFlags, ...rest } = dest;
  if (dest.fwdMethod !== constants.IP_VS_CONN_F_TUNNEL) return rest;
  return { ...rest, tunType: tunType ?? 0, tunPort: tunPort ?? 0, tunFlags: tunFlags ?? 0 };
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (!isRecord(value)) throw new TypeError(`${field} must be an object`);
  return value;
}

/**
 * One service and its destinations, checked and normalised; throws TypeError/RangeError naming
 * `field` ("services[0]") and the path below it.
 */
export function normalService(
  spec: unknown,
  destinations: readonly unknown[],
  field = 'service',
): NormalService {
  const native = serviceSpec(spec, field);
  const seen = new Map<string, number>();
  const normal = destinations.map((d: unknown, j): NormalDestination => {
    const dfield = `${field}.destinations[${j}]`;
    const dnative = withTunnelDefaults(destinationSpec(d, native, dfield));
    const key = destinationIdentity(dnative.address, dnative.port);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new TypeError(`${dfield} is the same destination as ${field}.destinations[${earlier}]`);
    }
    seen.set(key, j);
    return { key, native: dnative, spec: d as DestinationSpec };
  });
  return { key: describeService(native), native, spec: spec as ServiceSpec, destinations: normal };
}

/** Checks and normalises a desired state, a service at a time (see slices.ts). */
function* normalising(value: unknown): SlicedWork<NormalService[]> {
  const root = object(value, 'desired state');
  for (const key of Object.keys(root)) {
    if (key !== 'services') throw new TypeError(`desired state has an unknown field '${key}'`);
  }
  const services = root.services ?? [];
  if (!Array.isArray(services)) throw new TypeError('services must be a list');
  const seen = new Map<string, number>();
  const normal: NormalService[] = [];
  for (const [i, raw] of (services as unknown[]).entries()) {
    const field = `services[${i}]`;
    const { destinations = [], ...spec } = object(raw, field);
    if (!Array.isArray(destinations)) throw new TypeError(`${field}.destinations must be a list`);
    const service = normalService(spec, destinations, field);
    const earlier = seen.get(service.key);
    if (earlier !== undefined) {
      throw new TypeError(`${field} is the same service as services[${earlier}]`);
    }
    seen.set(service.key, i);
    normal.push(service);
    yield 1 + destinations.length;
  }
  return normal;
}

/** Checks and normalises a desired state; throws TypeError/RangeError naming the path. */
export function normalise(value: unknown): NormalService[] {
  return runAtOnce(normalising(value));
}

/**
 * normalise() with a turn of the event loop after every ROWS_PER_TURN services and destinations;
 * rejects with the same errors.
 */
export function normaliseInSlices(value: unknown): Promise<NormalService[]> {
  return runInSlices(normalising(value));
}
