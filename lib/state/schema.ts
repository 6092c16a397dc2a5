// The desired state that apply() converges to: the services (each with its destinations) that
// should exist. The fields are the library's own ServiceSpec and DestinationSpec, so a JSON or
// YAML file reads like the API calls:
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
import type { DestinationSpec, ServiceSpec } from '../model/types.js';
import { destinationSpec, serviceSpec } from '../core/validate.js';

export type DesiredService = ServiceSpec & { destinations?: DestinationSpec[] };

export interface DesiredState {
  services: DesiredService[];
}

/** A validated service and its destinations, in the kernel's terms, with a stable identity. */
export interface NormalService {
  key: string;
  native: NativeService;
  spec: ServiceSpec;
  destinations: NormalDestination[];
}

export interface NormalDestination {
  key: string;
  native: NativeDest;
  spec: DestinationSpec;
}

/** Groups of 16 bits (IPv6) or the dotted quad, so that equal addresses written differently match. */
function canonicalAddress(address: string): string {
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  return [
    ...left,
    ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'),
    ...right,
  ]
    .map((g) => parseInt(g, 16).toString(16))
    .join(':');
}

export function serviceIdentity(native: NativeService): string {
  if (native.fwmark !== 0)
    return `fwmark ${native.fwmark} ${native.family === 10 ? 'ipv6' : 'ipv4'}`;
  return `${native.protocol}/${canonicalAddress(native.address ?? '')}/${native.port}`;
}

export function destinationIdentity(native: NativeDest): string {
  return `${canonicalAddress(native.address)}/${native.port}`;
}

/** A tunnel destination without tunnel settings is an ipip one: make both spellings compare equal. */
function withTunnelDefaults(dest: NativeDest): NativeDest {
  const { tunType, tunPort, tunFlags, ...rest } = dest;
  if (dest.fwdMethod !== constants.IP_VS_CONN_F_TUNNEL) return rest;
  return { ...rest, tunType: tunType ?? 0, tunPort: tunPort ?? 0, tunFlags: tunFlags ?? 0 };
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(`${field} must be an object`);
  return value as Record<string, unknown>;
}

/** Checks and normalises a desired state; throws TypeError/RangeError naming the path. */
export function normalise(value: unknown): NormalService[] {
  const root = record(value, 'desired state');
  for (const key of Object.keys(root))
    if (key !== 'services') throw new TypeError(`desired state has an unknown field '${key}'`);
  const services = root.services ?? [];
  if (!Array.isArray(services)) throw new TypeError('services must be a list');
  const seen = new Map<string, number>();
  return services.map((raw: unknown, i) => {
    const field = `services[${i}]`;
    const { destinations = [], ...spec } = record(raw, field);
    const native = serviceSpec(spec, field);
    const key = serviceIdentity(native);
    const earlier = seen.get(key);
    if (earlier !== undefined)
      throw new TypeError(`${field} is the same service as services[${earlier}]`);
    seen.set(key, i);
    if (!Array.isArray(destinations)) throw new TypeError(`${field}.destinations must be a list`);
    const seenDests = new Map<string, number>();
    const normalDests = destinations.map((d: unknown, j): NormalDestination => {
      const dfield = `${field}.destinations[${j}]`;
      const dnative = withTunnelDefaults(destinationSpec(d, native, dfield));
      const dkey = destinationIdentity(dnative);
      const earlierDest = seenDests.get(dkey);
      if (earlierDest !== undefined)
        throw new TypeError(
          `${dfield} is the same destination as ${field}.destinations[${earlierDest}]`,
        );
      seenDests.set(dkey, j);
      return { key: dkey, native: dnative, spec: d as DestinationSpec };
    });
    return { key, native, spec: spec as unknown as ServiceSpec, destinations: normalDests };
  });
}
