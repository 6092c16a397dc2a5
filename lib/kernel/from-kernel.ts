// What the kernel reports, in the library's canonical form.
import { constants } from './constants.js';
import type { NativeDaemon, NativeDestReply, NativeServiceReply } from './native.js';
import type {
  AddressFamily,
  Daemon,
  Destination,
  ForwardMethod,
  Protocol,
  SchedulerFlag,
  Service,
  ServiceFlag,
  TunnelChecksum,
  TunnelType,
} from '../model/types.js';

export function familyName(family: number): AddressFamily {
  return family === constants.AF_INET6 ? 'ipv6' : 'ipv4';
}

function protocolName(protocol: number): Protocol {
  if (protocol === constants.IPPROTO_UDP) return 'udp';
  if (protocol === constants.IPPROTO_SCTP) return 'sctp';
  return 'tcp';
}

export function forwardName(fwdMethod: number): ForwardMethod {
  const method = fwdMethod & constants.IP_VS_CONN_F_FWD_MASK;
  if (method === constants.IP_VS_CONN_F_MASQ) return 'masq';
  if (method === constants.IP_VS_CONN_F_TUNNEL) return 'tunnel';
  return 'route';
}

const HOST_MASK = 0xffffffff;

export function netmaskText(family: number, netmask: number): string | number {
  if (family === constants.AF_INET6) return netmask;
  // Every service without persistence has the host mask: skip the formatting (listing hot path).
  if (netmask >>> 0 === HOST_MASK) return '255.255.255.255';
  return `${netmask >>> 24}.${(netmask >>> 16) & 0xff}.${(netmask >>> 8) & 0xff}.${netmask & 0xff}`;
}

// Tables of the addon's constants, built on first use: importing this module loads no addon.
interface FlagTables {
  schedulerFlagBits: readonly number[];
  anySchedulerFlag: number;
  serviceFlags: ReadonlyArray<readonly [number, ServiceFlag]>;
  tunnelTypes: Readonly<Record<number, TunnelType>>;
}
let tables: FlagTables | undefined;
function flagTables(): FlagTables {
  if (tables) return tables;
  const schedulerFlagBits = [
    constants.IP_VS_SVC_F_SCHED1,
    constants.IP_VS_SVC_F_SCHED2,
    constants.IP_VS_SVC_F_SCHED3,
  ];
  tables = {
    schedulerFlagBits,
    anySchedulerFlag: schedulerFlagBits.reduce((a, b) => a | b, 0),
    serviceFlags: [
      [constants.IP_VS_SVC_F_PERSISTENT, 'persistent'],
      [constants.IP_VS_SVC_F_HASHED, 'hashed'],
      [constants.IP_VS_SVC_F_ONEPACKET, 'one-packet'],
      [constants.IP_VS_SVC_F_SCHED1, 'flag-1'],
      [constants.IP_VS_SVC_F_SCHED2, 'flag-2'],
      [constants.IP_VS_SVC_F_SCHED3, 'flag-3'],
    ],
    tunnelTypes: {
      [constants.IP_VS_CONN_F_TUNNEL_TYPE_IPIP]: 'ipip',
      [constants.IP_VS_CONN_F_TUNNEL_TYPE_GUE]: 'gue',
      [constants.IP_VS_CONN_F_TUNNEL_TYPE_GRE]: 'gre',
    },
  };
  return tables;
}

function schedulerFlags(scheduler: string, flags: number): SchedulerFlag[] {
  const names: SchedulerFlag[] = [];
  const { anySchedulerFlag, schedulerFlagBits } = flagTables();
  if ((flags & anySchedulerFlag) === 0) return names;
  schedulerFlagBits.forEach((bit, i) => {
    if ((flags & bit) === 0) return;
    if ((scheduler === 'sh' || scheduler === 'mh') && i < 2)
      names.push(`${scheduler}-${i === 0 ? 'fallback' : 'port'}`);
    else names.push(`flag-${i + 1}` as SchedulerFlag);
  });
  return names;
}

function serviceFlags(flags: number): ServiceFlag[] {
  const names: ServiceFlag[] = [];
  for (const [bit, name] of flagTables().serviceFlags) if ((flags & bit) !== 0) names.push(name);
  return names;
}

// The two builders below write each object as one literal, in the order the public types list
// their fields: no intermediate object spread into another (a listing builds one per row).
export function serviceFromKernel(native: NativeServiceReply): Service {
  const flags = native.flags;
  const persistence = (flags & constants.IP_VS_SVC_F_PERSISTENT) !== 0 ? native.timeout : 0;
  const netmask = netmaskText(native.family, native.netmask);
  const onePacket = (flags & constants.IP_VS_SVC_F_ONEPACKET) !== 0;
  if (native.peName || native.fwmark !== 0) return unusualService(native, persistence, netmask);
  return {
    protocol: protocolName(native.protocol),
    address: native.address,
    port: native.port,
    family: familyName(native.family),
    scheduler: native.scheduler,
    persistence,
    netmask,
    onePacket,
    schedulerFlags: schedulerFlags(native.scheduler, flags),
    flags: serviceFlags(flags),
    stats: native.stats,
  };
}

/** A fwmark service, or one with a persistence engine: the same fields, some optional. */
function unusualService(
  native: NativeServiceReply,
  persistence: number,
  netmask: string | number,
): Service {
  const state = {
    family: familyName(native.family),
    scheduler: native.scheduler,
    persistence,
    netmask,
    ...(native.peName ? { persistenceEngine: native.peName } : {}),
    onePacket: (native.flags & constants.IP_VS_SVC_F_ONEPACKET) !== 0,
    schedulerFlags: schedulerFlags(native.scheduler, native.flags),
    flags: serviceFlags(native.flags),
    stats: native.stats,
  };
  if (native.fwmark !== 0) return { fwmark: native.fwmark, ...state };
  return {
    protocol: protocolName(native.protocol),
    address: native.address,
    port: native.port,
    ...state,
  };
}

function checksumName(flags: number): TunnelChecksum {
  if (flags & constants.IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM) return 'remcsum';
  if (flags & constants.IP_VS_TUNNEL_ENCAP_FLAG_CSUM) return 'csum';
  return 'none';
}

export function destinationFromKernel(native: NativeDestReply): Destination {
  const forward = forwardName(native.fwdMethod);
  if (forward === 'tunnel') return tunnelDestination(native);
  return {
    address: native.address,
    port: native.port,
    family: familyName(native.family),
    forward,
    weight: native.weight,
    upperThreshold: native.upperThreshold,
    lowerThreshold: native.lowerThreshold,
    activeConnections: native.activeConns,
    inactiveConnections: native.inactiveConns,
    persistentConnections: native.persistentConns,
    stats: native.stats,
  };
}

function tunnelDestination(native: NativeDestReply): Destination {
  return {
    address: native.address,
    port: native.port,
    family: familyName(native.family),
    forward: 'tunnel',
    weight: native.weight,
    upperThreshold: native.upperThreshold,
    lowerThreshold: native.lowerThreshold,
    tunnel: {
      type: flagTables().tunnelTypes[native.tunType] ?? 'ipip',
      port: native.tunPort,
      checksum: checksumName(native.tunFlags),
    },
    activeConnections: native.activeConns,
    inactiveConnections: native.inactiveConns,
    persistentConnections: native.persistentConns,
    stats: native.stats,
  };
}

export function daemonFromKernel(native: Required<NativeDaemon>): Daemon {
  return {
    state: native.state === constants.IP_VS_STATE_BACKUP ? 'backup' : 'master',
    interface: native.mcastIfn,
    syncId: native.syncId,
    maxLength: native.syncMaxlen,
    ...(native.mcastGroup ? { group: native.mcastGroup } : {}),
    port: native.mcastPort,
    ttl: native.mcastTtl,
  };
}
