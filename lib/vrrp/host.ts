// What a VRRP instance does to its namespace's interfaces, over rtnetlink (host/net-config.ts's
// NetNamespace satisfies VrrpHost): read the primary address and the link's state, add and remove
// the virtual addresses. Adding an address that is there and removing one that is not are no
// failures: a restart after a crash finds whatever the last run left.
import { constants as osConstants } from 'node:os';
import type {
  NativeAddress,
  NativeLink,
  NativeNetReply,
  NativeNetRequest,
} from '../kernel/native.js';
import { NetConfigError } from '../host/net-config.js';
import type { VrrpInstanceConfig } from './config.js';

export interface VrrpHost {
  readonly path: string;
  links(): Promise<NativeLink[]>;
  addresses(): Promise<NativeAddress[]>;
  run(requests: readonly NativeNetRequest[]): Promise<NativeNetReply[]>;
}

const AF_INET = 2;
const AF_INET6 = 10;
const RT_SCOPE_LINK = 253;
const IFF_UP = 0x1;
const IFF_RUNNING = 0x40;
const { EEXIST, EADDRNOTAVAIL, ENODEV } = osConstants.errno;

/** The link of `ifname`, or undefined when the namespace has none of that name. */
export async function findLink(host: VrrpHost, ifname: string): Promise<NativeLink | undefined> {
  return (await host.links()).find((link) => link.name === ifname);
}

/** Up and running (carrier): what keepalived calls an interface that is not in fault. */
export function linkUsable(link: NativeLink | undefined): boolean {
  return link !== undefined && (link.flags & (IFF_UP | IFF_RUNNING)) === (IFF_UP | IFF_RUNNING);
}

/**
 * The address this router sends from (RFC 5798 section 5.1.1.1 / 5.1.2.1): for IPv4 the
 * interface's first address that is not one of the virtual ones, for IPv6 its link-local one.
 */
export async function primaryAddress(
  host: VrrpHost,
  config: VrrpInstanceConfig,
  ifindex: number,
): Promise<string> {
  const virtual = new Set(config.virtualAddresses.map((vip) => vip.address));
  const candidates = (await host.addresses()).filter((a) => a.ifindex === ifindex);
  const found =
    config.family === 'ipv4'
      ? candidates.find((a) => a.family === AF_INET && !virtual.has(a.address))
      : candidates.find((a) => a.family === AF_INET6 && a.scope === RT_SCOPE_LINK);
  if (found === undefined)
    throw new Error(
      `${config.path}: ${config.interface} has no ${config.family === 'ipv4' ? 'IPv4 address of its own (besides the virtual ones)' : 'IPv6 link-local address'} to send VRRP from`,
    );
  return found.address;
}

function addressRequest(
  op: 'addAddress' | 'delAddress',
  config: VrrpInstanceConfig,
  vip: VrrpInstanceConfig['virtualAddresses'][number],
): NativeNetRequest {
  return {
    op,
    ifname: config.interface,
    address: vip.address,
    prefixLength: vip.prefixLength,
    // IFA_LABEL is IPv4's only (IPv6 addresses have none).
    ...(config.family === 'ipv4' ? { label: config.label } : {}),
  };
}

/** Adds every virtual address; returns the errors (one per address that failed). */
export async function addVirtualAddresses(
  host: VrrpHost,
  config: VrrpInstanceConfig,
): Promise<NetConfigError[]> {
  const vips = config.virtualAddresses;
  const replies = await host.run(vips.map((vip) => addressRequest('addAddress', config, vip)));
  return failures(host, replies, vips, 'add', config.interface, [EEXIST]);
}

/** Removes every virtual address; one that is not there (or no interface) is no failure. */
export async function removeVirtualAddresses(
  host: VrrpHost,
  config: VrrpInstanceConfig,
): Promise<NetConfigError[]> {
  const vips = config.virtualAddresses;
  const replies = await host.run(vips.map((vip) => addressRequest('delAddress', config, vip)));
  return failures(host, replies, vips, 'remove', config.interface, [EADDRNOTAVAIL, ENODEV]);
}

function failures(
  host: VrrpHost,
  replies: readonly NativeNetReply[],
  vips: VrrpInstanceConfig['virtualAddresses'],
  verb: string,
  ifname: string,
  benign: readonly number[],
): NetConfigError[] {
  const errors: NetConfigError[] = [];
  vips.forEach((vip, i) => {
    const error = replies[i]?.error ?? 0;
    if (error !== 0 && !benign.includes(error))
      errors.push(
        new NetConfigError(
          error,
          `${verb} ${vip.address}/${vip.prefixLength} ${verb === 'add' ? 'to' : 'from'} ${ifname}`,
          host.path,
          replies[i]?.message,
        ),
      );
  });
  return errors;
}
