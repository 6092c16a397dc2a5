// Every input is checked and normalised here, before anything reaches the kernel. Errors are
// TypeError (wrong type or unknown name) or RangeError (right type, bad value) and name the field
// and the value, e.g. "service.port must be an integer 0-65535, got 70000".
import { isIP } from 'node:net';
import { inspect } from 'node:util';
import { constants } from '../kernel/constants.js';
import { endpointText, serviceIdentity } from '../model/identity.js';
import { isRecord } from '../model/guards.js';
import type { NativeDaemon, NativeDest, NativeService, NativeTimeouts } from '../kernel/native.js';
import type {
  AddressFamily,
  DaemonSpec,
  DestinationKey,
  DestinationSpec,
  ForwardMethod,
  Protocol,
  SchedulerFlag,
  ServiceKey,
  ServiceSpec,
  Timeouts,
} from '../model/types.js';

function show(value: unknown): string {
  return inspect(value, { depth: 1, breakLength: Infinity });
}

function typeError(field: string, expected: string, value: unknown): never {
  throw new TypeError(`${field} must be ${expected}, got ${show(value)}`);
}

function rangeError(field: string, expected: string, value: unknown): never {
  throw new RangeError(`${field} must be ${expected}, got ${show(value)}`);
}

function object(field: string, value: unknown): Record<string, unknown> {
  if (!isRecord(value)) typeError(field, 'an object', value);
  return value;
}

function integer(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    typeError(field, `an integer ${min}-${max}`, value);
  if (!Number.isInteger(value) || value < min || value > max)
    rangeError(field, `an integer ${min}-${max}`, value);
  return value;
}

function optionalInteger(
  field: string,
  value: unknown,
  min: number,
  max: number,
  fallback: number,
): number {
  return value === undefined ? fallback : integer(field, value, min, max);
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    typeError(field, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

function optionalBoolean(field: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') typeError(field, 'a boolean', value);
  return value;
}

/** `known` is a module-level Set: this runs once per operation, so it allocates nothing. */
function rejectUnknownKeys(
  field: string,
  value: Record<string, unknown>,
  known: ReadonlySet<string>,
): void {
  for (const key in value) {
    if (!known.has(key) && Object.hasOwn(value, key))
      throw new TypeError(`${field} has an unknown field '${key}'`);
  }
}

const U32_MAX = 0xffffffff;
const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp'];
const FAMILIES: readonly AddressFamily[] = ['ipv4', 'ipv6'];

export function protocolNumber(protocol: Protocol): number {
  if (protocol === 'tcp') return constants.IPPROTO_TCP;
  return protocol === 'udp' ? constants.IPPROTO_UDP : constants.IPPROTO_SCTP;
}

export function familyNumber(family: AddressFamily): number {
  return family === 'ipv4' ? constants.AF_INET : constants.AF_INET6;
}

/** An IP address (brackets around IPv6 allowed) and its family. */
export function address(field: string, value: unknown): { text: string; family: AddressFamily } {
  if (typeof value !== 'string') typeError(field, 'an IPv4 or IPv6 address string', value);
  const text =
    value.charCodeAt(0) === 0x5b && value.charCodeAt(value.length - 1) === 0x5d
      ? value.slice(1, -1)
      : value;
  const version = isIP(text);
  if (version === 0) typeError(field, 'an IPv4 or IPv6 address', value);
  return { text, family: version === 4 ? 'ipv4' : 'ipv6' };
}

function port(field: string, value: unknown): number {
  return integer(field, value, 0, 65535);
}

function isFwmarkKey(key: Record<string, unknown>): boolean {
  return key.fwmark !== undefined;
}

/** The fields that identify a service, for every command that names one. */
export function serviceKey(value: unknown, field = 'service'): NativeService {
  const key = object(field, value);
  if (isFwmarkKey(key)) {
    for (const other of ['protocol', 'address', 'port'] as const) {
      if (key[other] !== undefined) {
        throw new TypeError(
          `${field}: give either fwmark, or protocol + address + port, not both (${other} is set)`,
        );
      }
    }
    const family =
      key.family === undefined ? 'ipv4' : oneOf(`${field}.family`, key.family, FAMILIES);
    return {
      family: familyNumber(family),
      protocol: 0,
      address: '',
      port: 0,
      fwmark: integer(`${field}.fwmark`, key.fwmark, 1, U32_MAX),
    };
  }
  if (key.protocol === undefined && key.address === undefined) {
    throw new TypeError(`${field} needs either fwmark, or protocol + address + port`);
  }
  const protocol = oneOf(`${field}.protocol`, key.protocol, PROTOCOLS);
  const addr = address(`${field}.address`, key.address);
  if (key.family !== undefined && key.family !== addr.family) {
    throw new TypeError(
      `${field}.family is ${show(key.family)} but the address ${addr.text} is ${addr.family}`,
    );
  }
  return {
    family: familyNumber(addr.family),
    protocol: protocolNumber(protocol),
    address: addr.text,
    port: port(`${field}.port`, key.port),
    fwmark: 0,
  };
}

const SCHEDULER_FLAGS: readonly SchedulerFlag[] = [
  'sh-fallback',
  'sh-port',
  'mh-fallback',
  'mh-port',
  'flag-1',
  'flag-2',
  'flag-3',
];

/** IP_VS_SVC_F_SCHED1..3 carry sh-fallback/sh-port and mh-fallback/mh-port (include/net/ip_vs.h). */
function schedulerFlagBits(field: string, flags: unknown, scheduler: string): number {
  if (flags === undefined) return 0;
  if (!Array.isArray(flags)) typeError(field, 'an array of scheduler flags', flags);
  let bits = 0;
  flags.forEach((flag: unknown, i) => {
    const name = oneOf(`${field}[${i}]`, flag, SCHEDULER_FLAGS);
    const family = name.slice(0, 2);
    if ((family === 'sh' || family === 'mh') && scheduler !== family) {
      throw new TypeError(
        `${field}[${i}] '${name}' applies to the ${family} scheduler, not '${scheduler}'`,
      );
    }
    const number =
      name.endsWith('fallback') || name === 'flag-1'
        ? 1
        : name.endsWith('port') || name === 'flag-2'
          ? 2
          : 3;
    bits |=
      [constants.IP_VS_SVC_F_SCHED1, constants.IP_VS_SVC_F_SCHED2, constants.IP_VS_SVC_F_SCHED3][
        number - 1
      ] ?? 0;
  });
  return bits;
}

function ipv4MaskToNumber(field: string, value: string): number {
  const parts = value.split('.');
  if (parts.length !== 4 || isIP(value) !== 4)
    typeError(field, 'a dotted IPv4 netmask such as 255.255.255.0', value);
  const number = parts.reduce((acc, part) => acc * 256 + Number(part), 0);
  // A netmask is contiguous ones followed by zeros: its complement plus one is a power of two.
  const inverted = ~number >>> 0;
  if ((inverted & (inverted + 1)) !== 0)
    rangeError(field, 'a contiguous netmask such as 255.255.255.0', value);
  return number;
}

export const DEFAULT_SCHEDULER = 'wlc';
// What ipvsadm 1.31 sends for a bare -p (its man page says 300; the code says 6 * 60).
export const DEFAULT_PERSISTENCE_TIMEOUT = 360;

/** The fields of a ServiceSpec (and of a DestinationSpec, below): what config readers accept. */
export const SERVICE_SPEC_FIELDS: ReadonlySet<string> = new Set([
  'protocol',
  'address',
  'port',
  'fwmark',
  'family',
  'scheduler',
  'persistence',
  'netmask',
  'persistenceEngine',
  'onePacket',
  'schedulerFlags',
]);
export const DESTINATION_SPEC_FIELDS: ReadonlySet<string> = new Set([
  'address',
  'port',
  'forward',
  'weight',
  'upperThreshold',
  'lowerThreshold',
  'tunnel',
]);
const TUNNEL_FIELDS: ReadonlySet<string> = new Set(['type', 'port', 'checksum']);
const TIMEOUT_FIELDS: ReadonlySet<string> = new Set(['tcp', 'tcpFin', 'udp']);
const DAEMON_FIELDS: ReadonlySet<string> = new Set([
  'state',
  'interface',
  'syncId',
  'maxLength',
  'group',
  'port',
  'ttl',
]);

const MODULE_NAME = /^[a-z0-9_]{1,15}$/i;
// The last module name that passed: a batch names the same scheduler over and over.
let lastModuleName = '';

function isModuleName(value: unknown): value is string {
  if (value === lastModuleName) return true;
  if (typeof value !== 'string' || !MODULE_NAME.test(value)) return false;
  lastModuleName = value;
  return true;
}

/** A service to add or to replace (ipvsadm -A / -E semantics: unspecified options take defaults). */
export function serviceSpec(value: unknown, field = 'service'): NativeService {
  const spec = object(field, value);
  rejectUnknownKeys(field, spec, SERVICE_SPEC_FIELDS);
  const key = serviceKey(spec, field);
  const scheduler = spec.scheduler === undefined ? DEFAULT_SCHEDULER : spec.scheduler;
  if (!isModuleName(scheduler)) {
    typeError(
      `${field}.scheduler`,
      'a scheduler name such as rr, wrr, wlc, sh or mh (1-15 letters/digits)',
      scheduler,
    );
  }
  let timeout = 0;
  if (spec.persistence === true) timeout = DEFAULT_PERSISTENCE_TIMEOUT;
  else if (spec.persistence !== undefined && spec.persistence !== false) {
    timeout = integer(`${field}.persistence`, spec.persistence, 0, U32_MAX);
  }
  const isIpv6 = key.family === constants.AF_INET6;
  let netmask = isIpv6 ? 128 : U32_MAX;
  if (spec.netmask !== undefined) {
    if (timeout === 0)
      throw new TypeError(
        `${field}.netmask needs persistence (got netmask ${show(spec.netmask)} without it)`,
      );
    if (isIpv6) netmask = integer(`${field}.netmask`, spec.netmask, 1, 128);
    else if (typeof spec.netmask === 'string')
      netmask = ipv4MaskToNumber(`${field}.netmask`, spec.netmask);
    else typeError(`${field}.netmask`, 'a dotted IPv4 netmask such as 255.255.255.0', spec.netmask);
  }
  let peName = '';
  if (spec.persistenceEngine !== undefined) {
    if (!isModuleName(spec.persistenceEngine)) {
      typeError(
        `${field}.persistenceEngine`,
        "a persistence engine name such as 'sip'",
        spec.persistenceEngine,
      );
    }
    if (timeout === 0) throw new TypeError(`${field}.persistenceEngine needs persistence`);
    peName = spec.persistenceEngine;
  }
  const onePacket = optionalBoolean(`${field}.onePacket`, spec.onePacket);
  if (onePacket && key.fwmark === 0 && key.protocol !== constants.IPPROTO_UDP) {
    throw new TypeError(`${field}.onePacket applies to UDP and fwmark services only`);
  }
  if (key.fwmark === 0 && key.port === 0 && timeout === 0) {
    throw new RangeError(`${field}.port 0 (all ports) is allowed only for a persistent service`);
  }
  let flags = schedulerFlagBits(`${field}.schedulerFlags`, spec.schedulerFlags, scheduler);
  if (timeout > 0) flags |= constants.IP_VS_SVC_F_PERSISTENT;
  if (onePacket) flags |= constants.IP_VS_SVC_F_ONEPACKET;
  // One literal with every field: objects of one shape keep the packer's property reads fast.
  return {
    family: key.family,
    protocol: key.protocol,
    address: key.address ?? '',
    port: key.port,
    fwmark: key.fwmark,
    scheduler,
    peName,
    flags,
    flagsMask: U32_MAX,
    timeout,
    netmask,
  };
}

const FORWARD_ALIASES: Readonly<Record<string, ForwardMethod>> = {
  masq: 'masq',
  nat: 'masq',
  '-m': 'masq',
  route: 'route',
  dr: 'route',
  gate: 'route',
  '-g': 'route',
  tunnel: 'tunnel',
  tun: 'tunnel',
  ipip: 'tunnel',
  '-i': 'tunnel',
};

export function forwardMethod(field: string, value: unknown): ForwardMethod {
  if (value === undefined) return 'route';
  const method = typeof value === 'string' ? FORWARD_ALIASES[value] : undefined;
  if (method === undefined)
    typeError(
      field,
      `one of ${Object.keys(FORWARD_ALIASES)
        .map((a) => `'${a}'`)
        .join(', ')}`,
      value,
    );
  return method;
}

export function forwardNumber(method: ForwardMethod): number {
  if (method === 'masq') return constants.IP_VS_CONN_F_MASQ;
  return method === 'route' ? constants.IP_VS_CONN_F_DROUTE : constants.IP_VS_CONN_F_TUNNEL;
}

function destAddress(
  field: string,
  value: Record<string, unknown>,
  service: NativeService,
): { text: string; family: number; port: number } {
  const addr = address(`${field}.address`, value.address);
  const destPort = value.port === undefined ? service.port : port(`${field}.port`, value.port);
  return { text: addr.text, family: familyNumber(addr.family), port: destPort };
}

/** The fields that identify a destination within its service. */
export function destinationKey(
  value: unknown,
  service: NativeService,
  field = 'destination',
): NativeDest {
  const key = object(field, value);
  const addr = destAddress(field, key, service);
  return { family: addr.family, address: addr.text, port: addr.port };
}

/** A destination to add or to replace (ipvsadm -a / -e semantics). */
export function destinationSpec(
  value: unknown,
  service: NativeService,
  field = 'destination',
): NativeDest {
  const spec = object(field, value);
  rejectUnknownKeys(field, spec, DESTINATION_SPEC_FIELDS);
  const addr = destAddress(field, spec, service);
  const forward = forwardMethod(`${field}.forward`, spec.forward);
  if (addr.family !== service.family && forward !== 'tunnel') {
    throw new TypeError(
      `${field}.address ${addr.text} is not of the service's family: mixing IPv4 and IPv6 needs forward 'tunnel'`,
    );
  }
  const weight = optionalInteger(`${field}.weight`, spec.weight, 0, 0x7fffffff, 1);
  const upperThreshold = optionalInteger(
    `${field}.upperThreshold`,
    spec.upperThreshold,
    0,
    U32_MAX,
    0,
  );
  const lowerThreshold = optionalInteger(
    `${field}.lowerThreshold`,
    spec.lowerThreshold,
    0,
    U32_MAX,
    0,
  );
  if (upperThreshold !== 0 && lowerThreshold > upperThreshold) {
    throw new RangeError(
      `${field}.lowerThreshold ${lowerThreshold} must not exceed upperThreshold ${upperThreshold}`,
    );
  }
  const dest: NativeDest = {
    family: addr.family,
    address: addr.text,
    port: addr.port,
    fwdMethod: forwardNumber(forward),
    weight,
    upperThreshold,
    lowerThreshold,
    tunType: 0,
    tunPort: 0,
    tunFlags: 0,
  };
  if (spec.tunnel !== undefined) {
    if (forward !== 'tunnel')
      throw new TypeError(`${field}.tunnel needs forward 'tunnel', not '${forward}'`);
    const options = tunnel(`${field}.tunnel`, spec.tunnel);
    dest.tunType = options.tunType;
    dest.tunPort = options.tunPort;
    dest.tunFlags = options.tunFlags;
  }
  return dest;
}

function tunnel(
  field: string,
  value: unknown,
): Required<Pick<NativeDest, 'tunType' | 'tunPort' | 'tunFlags'>> {
  const spec = object(field, value);
  rejectUnknownKeys(field, spec, TUNNEL_FIELDS);
  const type = oneOf(`${field}.type`, spec.type, ['ipip', 'gue', 'gre'] as const);
  const checksum =
    spec.checksum === undefined
      ? 'none'
      : oneOf(`${field}.checksum`, spec.checksum, ['none', 'csum', 'remcsum'] as const);
  if (type === 'gue' && spec.port === undefined)
    throw new TypeError(`${field}.port is required for a gue tunnel`);
  if (type !== 'gue' && spec.port !== undefined)
    throw new TypeError(`${field}.port applies to gue tunnels only, not ${type}`);
  if (type === 'ipip' && checksum !== 'none')
    throw new TypeError(`${field}.checksum applies to gue and gre tunnels only`);
  return {
    tunType: {
      ipip: constants.IP_VS_CONN_F_TUNNEL_TYPE_IPIP,
      gue: constants.IP_VS_CONN_F_TUNNEL_TYPE_GUE,
      gre: constants.IP_VS_CONN_F_TUNNEL_TYPE_GRE,
    }[type],
    tunPort: spec.port === undefined ? 0 : integer(`${field}.port`, spec.port, 1, 65535),
    tunFlags: {
      none: constants.IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM,
      csum: constants.IP_VS_TUNNEL_ENCAP_FLAG_CSUM,
      remcsum: constants.IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM,
    }[checksum],
  };
}

export function timeouts(value: unknown, field = 'timeouts'): NativeTimeouts {
  const spec = object(field, value);
  rejectUnknownKeys(field, spec, TIMEOUT_FIELDS);
  const seconds = (name: keyof Timeouts) =>
    optionalInteger(`${field}.${name}`, spec[name], 0, Math.floor(U32_MAX / 1000), 0);
  return { tcp: seconds('tcp'), tcpFin: seconds('tcpFin'), udp: seconds('udp') };
}

export function daemonState(field: string, value: unknown): number {
  const state = oneOf(field, value, ['master', 'backup'] as const);
  return state === 'master' ? constants.IP_VS_STATE_MASTER : constants.IP_VS_STATE_BACKUP;
}

export function daemonSpec(value: unknown, field = 'daemon'): NativeDaemon {
  const spec = object(field, value) as Partial<Record<keyof DaemonSpec, unknown>>;
  rejectUnknownKeys(field, spec, DAEMON_FIELDS);
  const daemon: NativeDaemon = { state: daemonState(`${field}.state`, spec.state) };
  if (typeof spec.interface !== 'string' || !/^[\x21-\x2e\x30-\x7e]{1,15}$/.test(spec.interface)) {
    typeError(
      `${field}.interface`,
      'an interface name of 1-15 printable ASCII characters, no slash',
      spec.interface,
    );
  }
  daemon.mcastIfn = spec.interface;
  daemon.syncId = optionalInteger(`${field}.syncId`, spec.syncId, 0, 255, 0);
  if (spec.maxLength !== undefined)
    daemon.syncMaxlen = integer(`${field}.maxLength`, spec.maxLength, 1, 65535);
  if (spec.group !== undefined) {
    const group = address(`${field}.group`, spec.group);
    daemon.mcastGroup = group.text;
    daemon.mcastFamily = familyNumber(group.family);
  }
  if (spec.port !== undefined) daemon.mcastPort = integer(`${field}.port`, spec.port, 1, 65535);
  if (spec.ttl !== undefined) daemon.mcastTtl = integer(`${field}.ttl`, spec.ttl, 1, 255);
  return daemon;
}

/** A validated service's name in messages: its identity (lib/model/identity.ts), such as
 * "tcp 192.168.8.200:80", "udp [2001:db8::1]:53" or "fwmark 7 (ipv6)". */
export function describeService(service: NativeService): string {
  if (service.fwmark !== 0) {
    const family = service.family === constants.AF_INET6 ? 'ipv6' : 'ipv4';
    return serviceIdentity({ fwmark: service.fwmark, family });
  }
  // Looked up here, not in a table built at import: the numbers come from the addon, which
  // importing the package must not load.
  const protocol = PROTOCOLS.find((p) => protocolNumber(p) === service.protocol) ?? 'tcp';
  return serviceIdentity({ protocol, address: service.address ?? '', port: service.port });
}

export function describeDestination(dest: NativeDest, service: NativeService): string {
  return `destination ${endpointText(dest.address, dest.port)} of service ${describeService(service)}`;
}

export type { ServiceKey, ServiceSpec, DestinationKey, DestinationSpec };
