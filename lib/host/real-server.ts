// Preparing a real server for LVS direct routing or tunnelling, as the seed's recipe does by hand,
// through rtnetlink and /proc/sys inside the real server's namespace:
//
//   DR:  the VIP as /32 on lo (label lo:0), so the real server accepts packets for it; and
//        arp_ignore=1 / arp_announce=2 on all and lo, so that it never answers ARP for the VIP
//        (the director must be the only one to) nor announces it as a source.
//   TUN: tunl0 (the ipip module's catch-all device) up with the VIP, so that IP-in-IP packets from
//        the director are decapsulated and accepted; rp_filter off on all and tunl0, since the
//        inner packet's source (the client) is not routed via tunl0; and the same ARP settings
//        on all and tunl0, because the VIP is a local address there too.
//
// An IPv6 VIP needs only the address (/128 on lo): IPv6 neighbour discovery answers only for
// addresses on the interface a solicitation arrives on. IPv6 TUN (ip6tnl) is not covered.
import { isRecord } from '../model/guards.js';
import { address as parseAddress } from '../core/validate.js';
import { lvsMode } from './lvs-mode.js';
import { IFF_UP, NetConfigError, NetNamespace } from './net-config.js';
import { constants as osConstants } from 'node:os';

export interface RealServerOptions {
  /** The virtual IP the clients reach, IPv4 or IPv6. */
  vip: string;
  /** 'dr' or 'tun' (or any alias the Ipvs API accepts: route, gate, -g, tunnel, ipip, -i). */
  mode: string;
  /** The real server's network namespace file. Default: the caller's. */
  netns?: string;
}

/** One thing a preparation changed, with what was there before. */
export type RealServerChange =
  | { kind: 'address'; device: string; address: string; prefixLength: number }
  | { kind: 'sysctl'; path: string; from: string; to: string }
  | { kind: 'link-up'; device: string };

export interface PreparedRealServer {
  /** What was changed; empty when everything was already in place. */
  readonly changes: readonly RealServerChange[];
  /** Reverts exactly these changes, newest first. */
  undo(): Promise<void>;
}

interface Plan {
  netns: NetNamespace;
  vip: string;
  ipv6: boolean;
  device: string;
  label: string | undefined;
  prefixLength: number;
  sysctls: ReadonlyArray<readonly [path: string, value: string]>;
  tunnel: boolean;
}

function plan(options: RealServerOptions, field = 'options'): Plan {
  if (!isRecord(options)) throw new TypeError(`${field} must be an object`);
  const vip = parseAddress(`${field}.vip`, options.vip);
  const mode = lvsMode(`${field}.mode`, options.mode);
  if (mode === 'nat') {
    throw new TypeError(
      `${field}.mode: a NAT real server needs no preparation, only a default route via the director (checkRealServer checks it); use 'dr' or 'tun'`,
    );
  }
  const ipv6 = vip.family === 'ipv6';
  if (ipv6 && mode === 'tun')
    throw new TypeError(
      `${field}.vip ${vip.text}: IPv6 tunnelling (ip6tnl) is not supported; use an IPv4 VIP with 'tun'`,
    );
  const device = mode === 'tun' ? 'tunl0' : 'lo';
  const conf = (dev: string, name: string) => `net/ipv4/conf/${dev}/${name}`;
  const arp = ipv6
    ? []
    : (['all', device] as const).flatMap(
        (dev) =>
          [
            [conf(dev, 'arp_ignore'), '1'],
            [conf(dev, 'arp_announce'), '2'],
          ] as const,
      );
  const rpFilter =
    mode === 'tun'
      ? (['all', device] as const).map((dev) => [conf(dev, 'rp_filter'), '0'] as const)
      : [];
  return {
    netns: new NetNamespace(options.netns),
    vip: vip.text,
    ipv6,
    device,
    label: ipv6 || device !== 'lo' ? undefined : 'lo:0',
    prefixLength: ipv6 ? 128 : 32,
    sysctls: [...arp, ...rpFilter],
    tunnel: mode === 'tun',
  };
}

/**
 * Prepares the real server in `options.netns` for `options.mode` and returns what changed, with an
 * undo. Steps already in place are left alone (a second call changes nothing). On failure, the
 * steps it already took are undone before it rethrows.
 */
export async function prepareRealServer(options: RealServerOptions): Promise<PreparedRealServer> {
  const p = plan(options);
  const changes: RealServerChange[] = [];
  const undo = () => revert(p.netns, changes);
  try {
    if (p.tunnel) {
      const before = (await p.netns.links()).find((l) => l.name === p.device);
      await p.netns.must({ op: 'ensureIpip', ifname: p.device }, `bring ${p.device} up (ipip)`);
      if (before === undefined || (before.flags & IFF_UP) === 0)
        changes.push({ kind: 'link-up', device: p.device });
    }
    const [added] = await p.netns.run([
      {
        op: 'addAddress',
        ifname: p.device,
        address: p.vip,
        prefixLength: p.prefixLength,
        ...(p.label ? { label: p.label } : {}),
      },
    ]);
    if (added === undefined) throw new Error('netConfig gave no reply');
    if (added.error === 0) {
      changes.push({
        kind: 'address',
        device: p.device,
        address: p.vip,
        prefixLength: p.prefixLength,
      });
    } else if (added.error !== osConstants.errno.EEXIST) {
      throw new NetConfigError(
        added.error,
        `add ${p.vip}/${p.prefixLength} to ${p.device}`,
        p.netns.path,
        added.message,
      );
    }
    for (const [path, value] of p.sysctls) {
      const from = await p.netns.sysctl(path);
      if (from === undefined)
        throw new NetConfigError(osConstants.errno.ENOENT, `read ${path}`, p.netns.path);
      if (from === value) continue;
      await p.netns.setSysctl(path, value);
      changes.push({ kind: 'sysctl', path, from, to: value });
    }
  } catch (error) {
    await undo().catch(() => undefined);
    throw error;
  }
  return { changes, undo };
}

async function revert(netns: NetNamespace, changes: RealServerChange[]): Promise<void> {
  for (const change of changes.splice(0).reverse()) {
    switch (change.kind) {
      case 'sysctl':
        await netns.setSysctl(change.path, change.from);
        break;
      case 'address':
        await netns.must(
          {
            op: 'delAddress',
            ifname: change.device,
            address: change.address,
            prefixLength: change.prefixLength,
          },
          `remove ${change.address} from ${change.device}`,
        );
        break;
      case 'link-up':
        await netns.must(
          { op: 'setLinkDown', ifname: change.device },
          `bring ${change.device} down`,
        );
        break;
    }
  }
}

/**
 * Undoes a preparation without its record (the CLI's --undo): removes the VIP from lo or tunl0,
 * returns arp_ignore and arp_announce to the kernel's default 0, and brings tunl0 down. rp_filter
 * is left as it is, since its earlier value is unknown. Returns what it changed.
 */
export async function undoRealServer(options: RealServerOptions): Promise<RealServerChange[]> {
  const p = plan(options);
  const changes: RealServerChange[] = [];
  const [removed] = await p.netns.run([
    { op: 'delAddress', ifname: p.device, address: p.vip, prefixLength: p.prefixLength },
  ]);
  // EADDRNOTAVAIL: the VIP was not there; ENODEV: neither was the device.
  if (removed?.error === 0)
    changes.push({
      kind: 'address',
      device: p.device,
      address: p.vip,
      prefixLength: p.prefixLength,
    });
  else if (
    removed &&
    removed.error !== osConstants.errno.EADDRNOTAVAIL &&
    removed.error !== osConstants.errno.ENODEV
  ) {
    throw new NetConfigError(
      removed.error,
      `remove ${p.vip} from ${p.device}`,
      p.netns.path,
      removed.message,
    );
  }
  for (const [path] of p.sysctls.filter(([path]) => !path.endsWith('rp_filter'))) {
    const from = await p.netns.sysctl(path);
    if (from === undefined || from === '0') continue;
    await p.netns.setSysctl(path, '0');
    changes.push({ kind: 'sysctl', path, from, to: '0' });
  }
  if (p.tunnel) {
    const link = (await p.netns.links()).find((l) => l.name === p.device);
    if (link && (link.flags & IFF_UP) !== 0) {
      await p.netns.must({ op: 'setLinkDown', ifname: p.device }, `bring ${p.device} down`);
      changes.push({ kind: 'link-up', device: p.device });
    }
  }
  return changes;
}

/** One line for a person: "added 192.168.8.200/32 to lo", "net.ipv4.conf.all.arp_ignore 0 -> 1". */
export function describeChange(change: RealServerChange): string {
  switch (change.kind) {
    case 'address':
      return `${change.address}/${change.prefixLength} on ${change.device}`;
    case 'sysctl':
      return `${change.path.replaceAll('/', '.')} ${change.from} -> ${change.to}`;
    case 'link-up':
      return `${change.device} up`;
  }
}
