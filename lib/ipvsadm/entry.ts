// ipvsadm's struct ipvs_command_entry while the options fill it in, with ipvsadm's defaults
// (wlc, -g, -w 1, a /32 persistence mask), and which options were given (each at most once).
import type {
  DaemonState,
  ForwardMethod,
  Protocol,
  ServiceKey,
  TunnelChecksum,
  TunnelType,
} from '../model/types.js';
import { DEFAULT_LIST_FORMAT, type ListFormat } from './command.js';
import { fail } from './exit.js';
import type { OptName } from './options.js';

export interface Entry {
  svc: {
    family: 4 | 6;
    protocol?: Protocol;
    address?: string;
    port: number;
    fwmark: number;
    scheduler: string;
    persistent: boolean;
    timeout: number;
    netmask: string | number;
    pe: string;
    onePacket: boolean;
    /** -b as given: read once the scheduler is known. */
    schedFlags: string;
  };
  dest: {
    family: 4 | 6;
    address?: string;
    port: number;
    forward: ForwardMethod;
    weight: number;
    upper: number;
    lower: number;
    tunType: TunnelType;
    tunPort: number;
    checksum: TunnelChecksum;
  };
  daemon: {
    state?: DaemonState;
    ifname: string;
    syncId: number;
    maxLength?: number;
    group?: string;
    port?: number;
    ttl?: number;
  };
  format: ListFormat;
  given: Set<OptName>;
}

export function newEntry(): Entry {
  return {
    svc: {
      family: 4,
      port: 0,
      fwmark: 0,
      scheduler: '',
      persistent: false,
      timeout: 0,
      netmask: '255.255.255.255',
      pe: '',
      onePacket: false,
      schedFlags: '',
    },
    dest: {
      family: 4,
      port: 0,
      forward: 'route',
      weight: 1,
      upper: 0,
      lower: 0,
      tunType: 'ipip',
      tunPort: 0,
      checksum: 'none',
    },
    daemon: { ifname: '', syncId: 0 },
    format: { ...DEFAULT_LIST_FORMAT },
    given: new Set(),
  };
}

/** ipvsadm's set_option: notes an option, refusing it the second time. */
export function mark(entry: Entry, name: OptName): void {
  if (entry.given.has(name)) fail(`multiple '${name}' options specified`);
  entry.given.add(name);
}

export function serviceKeyOf(entry: Entry): ServiceKey {
  const { svc } = entry;
  if (svc.fwmark !== 0) return { fwmark: svc.fwmark, family: svc.family === 6 ? 'ipv6' : 'ipv4' };
  return { protocol: svc.protocol ?? 'tcp', address: svc.address ?? '0.0.0.0', port: svc.port };
}
