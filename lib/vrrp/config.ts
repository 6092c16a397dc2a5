// Validates the `vrrp` list of the `ipvs serve` config (issue 12's contract: name, interface,
// virtualRouterId, priority, advertisementInterval, version, preempt, preemptDelay,
// virtualAddresses, unicastPeers, syncDaemon, trackServices) and fills in keepalived's defaults.
// Errors are the health config's: they name the path ("vrrp[0].priority") and, through
// health/config-file.ts, the line.
import { isIP } from 'node:net';
import type { DaemonSpec } from '../model/types.js';
import { canonicalAddress, serviceIdentity } from '../model/identity.js';
import { daemonSpec } from '../core/validate.js';
import { formatPath, HealthConfigError, show, type ConfigPath } from '../health/config-error.js';
import { durationAt, integerAt, record } from '../health/config-fields.js';
import { familyOf, type IpFamily } from './address.js';
import type { VrrpVersion } from './packet.js';

export interface VirtualAddress {
  address: string;
  prefixLength: number;
}

export interface TrackedService {
  /** The service's identity, as the health config names it: "tcp 192.168.8.200:80". */
  service: string;
  /** Added to the priority while the service has lost its quorum: -254 to 254 (0 with fault). */
  weight: number;
  /** `fault: true`: the instance goes to the fault state while the service has lost its quorum. */
  fault: boolean;
}

/** Gratuitous ARPs / unsolicited NAs on becoming master: keepalived's garp_master_* settings. */
export interface AnnounceConfig {
  /** Announcements per address at once (keepalived's garp_master_repeat, 5). */
  count: number;
  /** When to announce again, in ms (garp_master_delay, 5s); 0 with repeatCount 0: never. */
  repeatAfterMs: number;
  /** Announcements per address then (garp_master_refresh_repeat's role, 5). */
  repeatCount: number;
}

export type NotifyState = 'master' | 'backup' | 'fault' | 'stop';

/** Commands run on entering a state, as argv (no shell); absent: none. */
export type NotifyConfig = Partial<Record<NotifyState, string[]>>;

export interface VrrpInstanceConfig {
  name: string;
  interface: string;
  virtualRouterId: number;
  /** 1-254, or 255 for the owner of the addresses. */
  priority: number;
  version: VrrpVersion;
  family: IpFamily;
  advertisementIntervalMs: number;
  preempt: boolean;
  preemptDelayMs: number;
  virtualAddresses: VirtualAddress[];
  /** Empty: multicast to 224.0.0.18 or ff02::12. */
  unicastPeers: string[];
  /** The kernel's connection sync, following the role; the state comes from the election. */
  syncDaemon: Omit<DaemonSpec, 'state'> | undefined;
  trackServices: TrackedService[];
  /** IFA_LABEL of the IPv4 virtual addresses: the interface's name first, 15 characters at most. */
  label: string;
  announce: AnnounceConfig;
  notify: NotifyConfig;
  /** "vrrp[0]", for messages. */
  path: string;
}

export interface VrrpValidateOptions {
  /** The identities of the config's services, which trackServices must name. */
  services?: readonly string[];
}

const FIELDS = [
  'name',
  'interface',
  'virtualRouterId',
  'priority',
  'advertisementInterval',
  'version',
  'preempt',
  'preemptDelay',
  'virtualAddresses',
  'unicastPeers',
  'syncDaemon',
  'trackServices',
  'label',
  'announce',
  'notify',
];
const NOTIFY_STATES: readonly NotifyState[] = ['master', 'backup', 'fault', 'stop'];
/** keepalived's defaults: 5 gratuitous ARPs at once, 5 more after 5 seconds. */
export const DEFAULT_ANNOUNCE: Readonly<AnnounceConfig> = {
  count: 5,
  repeatAfterMs: 5000,
  repeatCount: 5,
};
const SYNC_FIELDS = ['interface', 'syncId', 'maxLength', 'group', 'port', 'ttl'];
/** What lib/core/validate.ts accepts for an interface (IFNAMSIZ, no slash), and no colon. */
const INTERFACE = /^[\x21-\x2e\x30-\x39\x3b-\x7e]{1,15}$/;
const DEFAULT_PRIORITY = 100; // keepalived's, and RFC 5798's
const DEFAULT_INTERVAL_MS = 1000;

function stringAt(path: ConfigPath, value: unknown, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value))
    throw new HealthConfigError(path, `must be ${what}, got ${show(value)}`);
  return value;
}

function listAt(path: ConfigPath, value: unknown, what: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw new HealthConfigError(path, `must be a list of ${what}, got ${show(value)}`);
  return value;
}

function booleanAt(path: ConfigPath, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new HealthConfigError(path, `must be true or false, got ${show(value)}`);
  return value;
}

/** "192.168.8.200/24", "2001:db8::200/64", or an address alone (a host: /32 or /128). */
function virtualAddress(path: ConfigPath, value: unknown): VirtualAddress {
  const [text = '', prefix, ...rest] = typeof value === 'string' ? value.split('/') : [];
  const family = familyOf(text);
  const max = family === 'ipv6' ? 128 : 32;
  const length = prefix === undefined ? max : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  if (family === undefined || rest.length > 0 || !(length >= 0 && length <= max))
    throw new HealthConfigError(
      path,
      `must be an address with an optional prefix length, such as 192.168.8.200/24, got ${show(value)}`,
    );
  return { address: canonicalAddress(text), prefixLength: length };
}

/** A service identity as the health config writes it; returned in its canonical spelling. */
export function serviceName(path: ConfigPath, value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  const mark = /^fwmark\s+(\d{1,10})(\s+\(ipv6\))?$/.exec(text);
  if (mark && Number(mark[1]) >= 1 && Number(mark[1]) <= 0xffffffff)
    return serviceIdentity({ fwmark: Number(mark[1]), family: mark[2] ? 'ipv6' : 'ipv4' });
  const endpoint = /^(tcp|udp|sctp)\s+(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text);
  const address = endpoint?.[2] ?? endpoint?.[3] ?? '';
  const port = Number(endpoint?.[4]);
  const v6 = endpoint?.[2] !== undefined;
  if (endpoint && isIP(address) === (v6 ? 6 : 4) && port <= 65535)
    return serviceIdentity({ protocol: endpoint[1] as 'tcp' | 'udp' | 'sctp', address, port });
  throw new HealthConfigError(
    path,
    `must name a service as "tcp 192.168.8.200:80", "udp [2001:db8::1]:53" or "fwmark 5", got ${show(value)}`,
  );
}

function trackedService(
  path: ConfigPath,
  value: unknown,
  services: readonly string[] | undefined,
): TrackedService {
  const raw = record(path, value, ['service', 'weight', 'fault']);
  const service = serviceName([...path, 'service'], raw.service);
  const fault = booleanAt([...path, 'fault'], raw.fault, false);
  if (services !== undefined && !services.includes(service))
    throw new HealthConfigError(
      [...path, 'service'],
      `names no service of the config (${services.length ? `known: ${services.join(', ')}` : 'there are none'}), got ${show(raw.service)}`,
    );
  if (fault) {
    if (raw.weight !== undefined)
      throw new HealthConfigError(
        [...path, 'weight'],
        'cannot go with fault: true (the instance leaves the election, its priority is moot)',
      );
    return { service, weight: 0, fault };
  }
  if (raw.weight === undefined)
    throw new HealthConfigError(
      [...path, 'weight'],
      'is required (the change of priority, -254 to 254), or fault: true',
    );
  return { service, weight: integerAt([...path, 'weight'], raw.weight, -254, 254, 0), fault };
}

function syncDaemon(path: ConfigPath, value: unknown): Omit<DaemonSpec, 'state'> {
  const raw = record(path, value, SYNC_FIELDS);
  const field = formatPath(path);
  try {
    daemonSpec({ ...raw, state: 'master' }, field); // exactly what the API accepts
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError)
      throw HealthConfigError.fromFieldError(path, error);
    throw error;
  }
  return raw as Omit<DaemonSpec, 'state'>; // its fields checked just above
}

/** The default label, "eth0:vip", or the interface's own name when that would not fit. */
function labelAt(path: ConfigPath, value: unknown, ifname: string): string {
  if (value === undefined) return `${ifname}:vip`.length <= 15 ? `${ifname}:vip` : ifname;
  if (
    typeof value !== 'string' ||
    !value.startsWith(ifname) ||
    value.length > 15 ||
    !/^[\x21-\x2e\x30-\x7e]+$/.test(value)
  )
    throw new HealthConfigError(
      path,
      `must start with the interface's name (${ifname}) and have 15 characters at most, such as ${ifname}:vip, got ${show(value)}`,
    );
  return value;
}

function announceAt(path: ConfigPath, value: unknown): AnnounceConfig {
  if (value === undefined) return { ...DEFAULT_ANNOUNCE };
  const raw = record(path, value, ['count', 'repeatAfter', 'repeatCount']);
  return {
    count: integerAt([...path, 'count'], raw.count, 1, 100, DEFAULT_ANNOUNCE.count),
    repeatAfterMs: durationAt(
      [...path, 'repeatAfter'],
      raw.repeatAfter,
      DEFAULT_ANNOUNCE.repeatAfterMs,
    ),
    repeatCount: integerAt(
      [...path, 'repeatCount'],
      raw.repeatCount,
      0,
      100,
      DEFAULT_ANNOUNCE.repeatCount,
    ),
  };
}

function notifyAt(path: ConfigPath, value: unknown): NotifyConfig {
  if (value === undefined) return {};
  const raw = record(path, value, NOTIFY_STATES);
  const notify: NotifyConfig = {};
  for (const state of NOTIFY_STATES) {
    const argv = raw[state];
    if (argv === undefined) continue;
    if (
      !Array.isArray(argv) ||
      argv.length === 0 ||
      !argv.every((arg) => typeof arg === 'string') ||
      argv[0] === ''
    )
      throw new HealthConfigError(
        [...path, state],
        `must be a command as a list of strings (argv, no shell), such as [/usr/local/bin/notify, ${state}], got ${show(argv)}`,
      );
    notify[state] = argv;
  }
  return notify;
}

/** The advertisement interval a version can carry: whole seconds (v2) or centiseconds (v3). */
function interval(path: ConfigPath, value: unknown, version: VrrpVersion): number {
  const ms = durationAt(path, value, DEFAULT_INTERVAL_MS, 1);
  if (version === 2 && (ms % 1000 !== 0 || ms > 255_000))
    throw new HealthConfigError(
      path,
      `must be whole seconds, 1s-255s, for VRRP version 2, got ${show(value)}`,
    );
  if (version === 3 && (ms % 10 !== 0 || ms > 40_950))
    throw new HealthConfigError(
      path,
      `must be a multiple of 10ms, 10ms-40.95s, for VRRP version 3, got ${show(value)}`,
    );
  return ms;
}

function instance(
  path: ConfigPath,
  value: unknown,
  options: VrrpValidateOptions,
): VrrpInstanceConfig {
  const raw = record(path, value, FIELDS);
  const at = (field: string): ConfigPath => [...path, field];
  const name = stringAt(
    at('name'),
    raw.name,
    /^[\w.-]{1,64}$/,
    'a name of 1-64 letters, digits, _ . or -',
  );
  const ifname = stringAt(
    at('interface'),
    raw.interface,
    INTERFACE,
    'an interface name of 1-15 characters, no slash or colon',
  );
  if (raw.virtualRouterId === undefined)
    throw new HealthConfigError(at('virtualRouterId'), 'is required: 1-255');
  const virtualRouterId = integerAt(at('virtualRouterId'), raw.virtualRouterId, 1, 255, 0);
  const priority = integerAt(at('priority'), raw.priority, 1, 255, DEFAULT_PRIORITY);
  if (raw.version !== undefined && raw.version !== 2 && raw.version !== 3)
    throw new HealthConfigError(at('version'), `must be 2 or 3, got ${show(raw.version)}`);
  const version: VrrpVersion = raw.version ?? 2;

  const addressList = listAt(at('virtualAddresses'), raw.virtualAddresses, 'addresses');
  if (addressList.length === 0 || addressList.length > 255)
    throw new HealthConfigError(
      at('virtualAddresses'),
      `must list 1-255 addresses, got ${show(raw.virtualAddresses)}`,
    );
  const virtualAddresses = addressList.map((item, i) =>
    virtualAddress([...path, 'virtualAddresses', i], item),
  );
  const family = familyOf(virtualAddresses[0]?.address ?? '') ?? 'ipv4';
  virtualAddresses.forEach((vip, i) => {
    const vipPath = [...path, 'virtualAddresses', i];
    if (familyOf(vip.address) !== family)
      throw new HealthConfigError(
        vipPath,
        `must be ${family === 'ipv4' ? 'IPv4' : 'IPv6'} like virtualAddresses[0]: one instance, one family`,
      );
    const first = virtualAddresses.findIndex((other) => other.address === vip.address);
    if (first !== i)
      throw new HealthConfigError(
        vipPath,
        `repeats ${vip.address} (already at virtualAddresses[${first}])`,
      );
  });
  if (version === 2 && family === 'ipv6')
    throw new HealthConfigError(
      at('version'),
      'must be 3 for IPv6 virtual addresses: VRRPv2 carries IPv4 only',
    );

  const unicastPeers = listAt(at('unicastPeers'), raw.unicastPeers, 'addresses').map((item, i) => {
    const peerPath = [...path, 'unicastPeers', i];
    if (typeof item !== 'string' || familyOf(item) !== family)
      throw new HealthConfigError(
        peerPath,
        `must be an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address, like the virtual addresses, got ${show(item)}`,
      );
    return canonicalAddress(item);
  });
  unicastPeers.forEach((peer, i) => {
    const first = unicastPeers.indexOf(peer);
    if (first !== i)
      throw new HealthConfigError(
        [...path, 'unicastPeers', i],
        `repeats ${peer} (already at unicastPeers[${first}])`,
      );
  });

  const preempt = booleanAt(at('preempt'), raw.preempt, true);
  const preemptDelayMs = durationAt(at('preemptDelay'), raw.preemptDelay, 0);
  if (!preempt && preemptDelayMs > 0)
    throw new HealthConfigError(
      at('preemptDelay'),
      'needs preempt: true (without preemption there is nothing to delay)',
    );

  const trackServices = listAt(at('trackServices'), raw.trackServices, 'services').map((item, i) =>
    trackedService([...path, 'trackServices', i], item, options.services),
  );
  if (priority === 255 && trackServices.some((tracked) => !tracked.fault))
    throw new HealthConfigError(
      at('trackServices'),
      'cannot lower priority 255: the address owner always advertises 255 (fault: true can track)',
    );

  return {
    name,
    interface: ifname,
    virtualRouterId,
    priority,
    version,
    family,
    advertisementIntervalMs: interval(
      at('advertisementInterval'),
      raw.advertisementInterval,
      version,
    ),
    preempt,
    preemptDelayMs,
    virtualAddresses,
    unicastPeers,
    syncDaemon:
      raw.syncDaemon === undefined ? undefined : syncDaemon(at('syncDaemon'), raw.syncDaemon),
    trackServices,
    label: labelAt(at('label'), raw.label, ifname),
    announce: announceAt(at('announce'), raw.announce),
    notify: notifyAt(at('notify'), raw.notify),
    path: formatPath(path),
  };
}

/** Checks the `vrrp` list (undefined: none) and returns it normalised; throws HealthConfigError. */
export function validateVrrpConfig(
  value: unknown,
  options: VrrpValidateOptions = {},
): VrrpInstanceConfig[] {
  const list = listAt(['vrrp'], value, 'VRRP instances');
  const instances = list.map((item, i) => instance(['vrrp', i], item, options));
  instances.forEach((one, i) => {
    const names = instances.findIndex((other) => other.name === one.name);
    if (names !== i)
      throw new HealthConfigError(
        ['vrrp', i, 'name'],
        `repeats ${show(one.name)} (already vrrp[${names}])`,
      );
    // One virtual router per VRID, interface and family: the packets could not tell two apart.
    const clash = instances.findIndex(
      (other) =>
        other.interface === one.interface &&
        other.virtualRouterId === one.virtualRouterId &&
        other.family === one.family,
    );
    if (clash !== i)
      throw new HealthConfigError(
        ['vrrp', i, 'virtualRouterId'],
        `is ${one.virtualRouterId} on ${one.interface} already (vrrp[${clash}]): one virtual router per VRID and interface`,
      );
  });
  return instances;
}
