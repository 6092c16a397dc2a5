// Validates the `bgp` section of the `ipvs serve` config: which prefixes this director has FRR
// announce, gated on which services' quorum, and how FRR is reached (vtysh, its socket
// directory, the ASN of the `router bgp` block). Errors name the path ("bgp.announce[0].prefix")
// and, through health/config-file.ts, the line, as the other sections' do.
import { isAbsolute } from 'node:path';
import { HealthConfigError, show, type ConfigPath } from '../health/config-error.js';
import { durationAt, integerAt, record } from '../health/config-fields.js';
import type { ServiceConfig } from '../health/types.js';
import { serviceName } from '../vrrp/config.js';
import { parsePrefix, prefixContains, type Prefix } from './prefix.js';

export type AnnounceWhen = 'all' | 'any';

export interface BgpAnnouncementConfig {
  prefix: Prefix;
  /** The services whose quorum gates the announcement (identities, canonical spelling). */
  services: string[];
  /** all: every service has quorum; any: at least one has. */
  when: AnnounceWhen;
  /** "bgp.announce[0]", for messages. */
  path: string;
}

export interface BgpConfig {
  /** The vtysh program (absolute path). */
  vtysh: string;
  /** vtysh's --vty_socket: where the daemons' sockets are; undefined: FRR's default. */
  vtySocket: string | undefined;
  /** The AS of FRR's `router bgp` block the `network` statements go in. */
  asn: number;
  /** Wait before trying a failed announce or withdraw again. */
  retryIntervalMs: number;
  /** How often every prefix's state is told to FRR again (a restarted bgpd forgets); 0: never. */
  reassertIntervalMs: number;
  /** How long one vtysh run may take before it is killed and counted as failed. */
  timeoutMs: number;
  announce: BgpAnnouncementConfig[];
}

const FIELDS = [
  'vtysh',
  'vtySocket',
  'asn',
  'retryInterval',
  'reassertInterval',
  'timeout',
  'announce',
];
const ANNOUNCE_FIELDS = ['prefix', 'services', 'when'];
export const DEFAULT_VTYSH = '/usr/bin/vtysh';
const DEFAULT_RETRY_MS = 5000;
const DEFAULT_REASSERT_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 10_000;

function pathAt(path: ConfigPath, value: unknown, fallback?: string): string | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !isAbsolute(value) || value.includes('\0'))
    throw new HealthConfigError(path, `must be an absolute path, got ${show(value)}`);
  return value;
}

function announcement(
  path: ConfigPath,
  value: unknown,
  services: readonly ServiceConfig[],
): BgpAnnouncementConfig {
  const raw = record(path, value, ANNOUNCE_FIELDS);
  const prefix = parsePrefix(raw.prefix);
  if (typeof prefix === 'string')
    throw new HealthConfigError([...path, 'prefix'], `${prefix}, got ${show(raw.prefix)}`);
  const when = raw.when ?? 'all';
  if (when !== 'all' && when !== 'any')
    throw new HealthConfigError([...path, 'when'], `must be all or any, got ${show(raw.when)}`);
  const known = services.map((service) => service.id);
  let names: string[];
  if (raw.services === undefined) {
    // Every service whose address is in the prefix: fwmark services have none, name them.
    names = services
      .filter((s) => 'address' in s.spec && prefixContains(prefix, s.spec.address))
      .map((s) => s.id);
    if (names.length === 0)
      throw new HealthConfigError(
        [...path, 'services'],
        `is needed: no service of the config has its address in ${prefix.text} (name the services that gate it)`,
      );
  } else {
    if (!Array.isArray(raw.services) || raw.services.length === 0)
      throw new HealthConfigError(
        [...path, 'services'],
        `must be a non-empty list of services such as "tcp 10.0.0.1:80", got ${show(raw.services)}`,
      );
    names = raw.services.map((item: unknown, i) => {
      const name = serviceName([...path, 'services', i], item);
      if (!known.includes(name))
        throw new HealthConfigError(
          [...path, 'services', i],
          `names no service of the config (${known.length ? `known: ${known.join(', ')}` : 'there are none'}), got ${show(item)}`,
        );
      return name;
    });
  }
  return {
    prefix,
    services: [...new Set(names)],
    when,
    path: `bgp.announce[${String(path.at(-1))}]`,
  };
}

/** Validates `bgp`; `services` are the config's, which the announcements are gated on. */
export function validateBgpConfig(value: unknown, services: readonly ServiceConfig[]): BgpConfig {
  const path = ['bgp'];
  const raw = record(path, value, FIELDS);
  if (raw.asn === undefined)
    throw new HealthConfigError(
      [...path, 'asn'],
      "is required: the AS of FRR's `router bgp` block (1-4294967295)",
    );
  if (!Array.isArray(raw.announce) || raw.announce.length === 0)
    throw new HealthConfigError(
      [...path, 'announce'],
      `must be a non-empty list of { prefix, services, when }, got ${show(raw.announce)}`,
    );
  const announce = raw.announce.map((item: unknown, i) =>
    announcement([...path, 'announce', i], item, services),
  );
  const seen = new Map<string, number>();
  announce.forEach((entry, i) => {
    const first = seen.get(entry.prefix.text);
    if (first !== undefined)
      throw new HealthConfigError(
        [...path, 'announce', i, 'prefix'],
        `repeats ${entry.prefix.text} (already bgp.announce[${first}])`,
      );
    seen.set(entry.prefix.text, i);
  });
  return {
    vtysh: pathAt([...path, 'vtysh'], raw.vtysh, DEFAULT_VTYSH) ?? DEFAULT_VTYSH,
    vtySocket: pathAt([...path, 'vtySocket'], raw.vtySocket),
    asn: integerAt([...path, 'asn'], raw.asn, 1, 4294967295, 0),
    retryIntervalMs: durationAt(
      [...path, 'retryInterval'],
      raw.retryInterval,
      DEFAULT_RETRY_MS,
      100,
    ),
    reassertIntervalMs: durationAt(
      [...path, 'reassertInterval'],
      raw.reassertInterval,
      DEFAULT_REASSERT_MS,
    ),
    timeoutMs: durationAt([...path, 'timeout'], raw.timeout, DEFAULT_TIMEOUT_MS, 100),
    announce,
  };
}
