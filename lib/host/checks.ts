// Checks of an LVS director and its real servers, read from inside their namespaces: the
// misconfigurations that make LVS fail silently, each reported with its fix. An empty list means
// nothing was found.
import { isRecord } from '../model/guards.js';
import { address as parseAddress } from '../core/validate.js';
import { lvsMode, type LvsMode } from './lvs-mode.js';
import { constants } from '../kernel/constants.js';
import { IFF_UP, NetNamespace, sysctlName } from './net-config.js';
import type { NativeAddress, NativeLink } from '../kernel/native.js';

export type FindingCode =
  | 'ipvs-missing'
  | 'vip-missing'
  | 'ip-forward-off'
  | 'arp-ignore'
  | 'arp-announce'
  | 'arp-only-on-lo'
  | 'tunl0-missing'
  | 'tunl0-down'
  | 'rp-filter'
  | 'default-route';

export interface Finding {
  code: FindingCode;
  /** What is wrong and what it breaks. */
  message: string;
  /** A command that fixes it, run in the namespace checked. */
  fix: string;
}

export interface CheckOptions {
  vip: string;
  /** 'nat', 'dr' or 'tun' (or any alias the Ipvs API accepts for `forward`). */
  mode: string;
  /** The namespace file of the machine checked. Default: the caller's. */
  netns?: string;
}

export interface RealServerCheckOptions extends CheckOptions {
  /** NAT: the director's address on the real servers' network (DIP), their default gateway. */
  director?: string;
}

const RT_TABLE_MAIN = 254;
const IFF_NOARP = 0x80;
const LOOPBACK = 'lo';

function setup(
  options: CheckOptions,
  field: string,
): { netns: NetNamespace; vip: string; ipv6: boolean; mode: LvsMode } {
  if (!isRecord(options)) throw new TypeError(`${field} must be an object`);
  const vip = parseAddress(`${field}.vip`, options.vip);
  return {
    netns: new NetNamespace(options.netns),
    vip: vip.text,
    ipv6: vip.family === 'ipv6',
    mode: lvsMode(`${field}.mode`, options.mode),
  };
}

function holder(
  addresses: readonly NativeAddress[],
  links: readonly NativeLink[],
  vip: string,
): string | undefined {
  const entry = addresses.find((a) => a.address === vip);
  return entry === undefined
    ? undefined
    : (links.find((l) => l.index === entry.ifindex)?.name ?? `#${entry.ifindex}`);
}

/** The director: IPVS present, the VIP on one of its interfaces, forwarding on for NAT. */
export async function checkDirector(options: CheckOptions): Promise<Finding[]> {
  const { netns, vip, ipv6, mode } = setup(options, 'checkDirector options');
  const findings: Finding[] = [];
  if ((await netns.sysctl('net/ipv4/vs/amemthresh')) === undefined) {
    findings.push({
      code: 'ipvs-missing',
      message:
        'IPVS is not available in this namespace (it has no net.ipv4.vs settings): the ip_vs module is not loaded, or the namespace belongs to an unprivileged user namespace, where IPVS cannot be programmed',
      fix: 'modprobe ip_vs',
    });
  }
  const [addresses, links] = await Promise.all([netns.addresses(), netns.links()]);
  if (holder(addresses, links, vip) === undefined) {
    findings.push({
      code: 'vip-missing',
      message: `the VIP ${vip} is on none of the director's interfaces: clients' packets for it never reach IPVS`,
      fix: ipv6
        ? `ip addr add ${vip}/128 dev IFACE nodad`
        : `ip addr add ${vip}/32 dev IFACE label IFACE:0`,
    });
  }
  if (mode === 'nat') {
    const path = ipv6 ? 'net/ipv6/conf/all/forwarding' : 'net/ipv4/ip_forward';
    if ((await netns.sysctl(path)) !== '1') {
      findings.push({
        code: 'ip-forward-off',
        message: `${sysctlName(path)} is off: under NAT the real servers' replies are routed through the director, which drops them`,
        fix: `sysctl -w ${sysctlName(path)}=1`,
      });
    }
  }
  return findings;
}

/**
 * A real server: for DR and TUN the VIP on lo or tunl0 and ARP hidden (and for TUN, tunl0 up and
 * rp_filter off); for NAT its default route via the director (`options.director`).
 */
export async function checkRealServer(options: RealServerCheckOptions): Promise<Finding[]> {
  const { netns, vip, ipv6, mode } = setup(options, 'checkRealServer options');
  if (mode === 'nat') {
    if (options.director === undefined)
      throw new TypeError(
        "checkRealServer options.director is required for mode 'nat': the director's address the real server routes through",
      );
    const director = parseAddress('checkRealServer options.director', options.director).text;
    return checkNatRoute(netns, ipv6, director);
  }
  const findings: Finding[] = [];
  const device = mode === 'tun' ? 'tunl0' : LOOPBACK;
  const [addresses, links] = await Promise.all([netns.addresses(), netns.links()]);
  const prepare = `ipvs prepare-real-server --vip ${vip} --mode ${mode}`;
  if (mode === 'tun') {
    const tunl0 = links.find((l) => l.name === device);
    if (tunl0 === undefined)
      findings.push({
        code: 'tunl0-missing',
        message:
          'there is no tunl0 (the ipip module is not loaded, or its device was renamed): IP-in-IP packets from the director are dropped',
        fix: prepare,
      });
    else if ((tunl0.flags & IFF_UP) === 0)
      findings.push({
        code: 'tunl0-down',
        message: 'tunl0 is down: IP-in-IP packets from the director are dropped',
        fix: `ip link set tunl0 up`,
      });
  }
  const on = holder(addresses, links, vip);
  if (on !== device) {
    const where =
      on === undefined
        ? 'it is not configured'
        : `it is on ${on}${ipv6 ? '' : ', where the real server answers ARP for it and steals the clients from the director'}`;
    findings.push({
      code: 'vip-missing',
      message: `the VIP ${vip} is not on ${device}: ${where}; the real server drops the packets the director forwards`,
      fix: prepare,
    });
  }
  if (!ipv6) findings.push(...(await checkArp(netns, links, device)));
  if (mode === 'tun') findings.push(...(await checkRpFilter(netns, links, device)));
  return findings;
}

/** Effective value on an interface: the larger of conf/all and conf/IFACE, as the kernel takes it. */
async function effective(
  netns: NetNamespace,
  name: string,
  devices: readonly string[],
): Promise<{ all: number; perDevice: Map<string, number> }> {
  const read = async (dev: string) =>
    Number((await netns.sysctl(`net/ipv4/conf/${dev}/${name}`)) ?? '0');
  const all = await read('all');
  const perDevice = new Map<string, number>();
  for (const dev of devices) perDevice.set(dev, Math.max(all, await read(dev)));
  return { all, perDevice };
}

async function checkArp(
  netns: NetNamespace,
  links: readonly NativeLink[],
  vipDevice: string,
): Promise<Finding[]> {
  // ARP requests for the VIP arrive on the real server's LAN interfaces: not on lo, nor on devices
  // without ARP (tunl0 and other tunnels).
  const lan = links
    .filter((l) => l.name !== LOOPBACK && l.name !== vipDevice && (l.flags & IFF_NOARP) === 0)
    .map((l) => l.name);
  const findings: Finding[] = [];
  const onlyOnVipDevice: string[] = [];
  for (const [name, wanted, what] of [
    [
      'arp_ignore',
      1,
      'answers ARP requests for the VIP, so clients may reach it directly instead of the director',
    ],
    [
      'arp_announce',
      2,
      "may announce the VIP as the source of its own ARP requests, which poisons neighbours' caches",
    ],
  ] as const) {
    const { perDevice } = await effective(netns, name, [...lan, vipDevice]);
    const weak = lan.filter((dev) => (perDevice.get(dev) ?? 0) < wanted);
    if (weak.length === 0) continue;
    if ((perDevice.get(vipDevice) ?? 0) >= wanted) {
      onlyOnVipDevice.push(name);
      continue;
    }
    const code = name === 'arp_ignore' ? 'arp-ignore' : 'arp-announce';
    findings.push({
      code,
      message: `net.ipv4.conf.all.${name} is below ${wanted} (and so on ${weak.join(', ')}): the real server ${what}`,
      fix: `sysctl -w net.ipv4.conf.all.${name}=${wanted}`,
    });
  }
  if (onlyOnVipDevice.length > 0) {
    findings.push({
      code: 'arp-only-on-lo',
      message: `${onlyOnVipDevice.join(' and ')} ${onlyOnVipDevice.length > 1 ? 'are' : 'is'} set on ${vipDevice} only, where ARP never arrives: the LAN interfaces still answer for the VIP`,
      fix: onlyOnVipDevice
        .map((name) => `sysctl -w net.ipv4.conf.all.${name}=${name === 'arp_ignore' ? 1 : 2}`)
        .join(' && '),
    });
  }
  return findings;
}

async function checkRpFilter(
  netns: NetNamespace,
  links: readonly NativeLink[],
  device: string,
): Promise<Finding[]> {
  if (!links.some((l) => l.name === device)) return [];
  const { all, perDevice } = await effective(netns, 'rp_filter', [device]);
  if ((perDevice.get(device) ?? 0) === 0) return [];
  const fix =
    all === 0
      ? `sysctl -w net.ipv4.conf.${device}.rp_filter=0`
      : `sysctl -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.${device}.rp_filter=0`;
  return [
    {
      code: 'rp-filter',
      message: `reverse-path filtering is on for ${device} (all=${all}): the decapsulated packets' source, the client, is not routed via ${device}, so they are dropped`,
      fix,
    },
  ];
}

async function checkNatRoute(
  netns: NetNamespace,
  ipv6: boolean,
  director: string,
): Promise<Finding[]> {
  const routes = await netns.routes(ipv6 ? constants.AF_INET6 : constants.AF_INET);
  const defaults = routes.filter(
    (r) => r.dstLength === 0 && r.table === RT_TABLE_MAIN && r.type === 1,
  );
  if (defaults.some((r) => r.gateway === director)) return [];
  const now =
    defaults.length === 0
      ? 'it has no default route'
      : `its default route is via ${defaults.map((r) => r.gateway ?? 'a device').join(', ')}`;
  return [
    {
      code: 'default-route',
      message: `the real server's default route is not via the director ${director} (${now}): under NAT its replies bypass the director, are never translated back, and the clients drop them`,
      fix: `ip route replace default via ${director}`,
    },
  ];
}
