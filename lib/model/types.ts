// The public data model. Inputs (…Spec, …Key) accept aliases and defaults; what the library reads
// back from the kernel (Service, Destination, …) always has one canonical form.

export type Protocol = 'tcp' | 'udp' | 'sctp';
export type AddressFamily = 'ipv4' | 'ipv6';

/** Canonical forwarding methods: masquerading (NAT, -m), direct routing (-g), IP tunnel (-i). */
export type ForwardMethod = 'masq' | 'route' | 'tunnel';
/** Accepted spellings of the forwarding method, ipvsadm's flags included. */
export type ForwardMethodInput =
  ForwardMethod | 'nat' | 'dr' | 'gate' | 'tun' | 'ipip' | '-m' | '-g' | '-i';

/** Schedulers the kernel ships. Any other name is sent as is; the kernel refuses what it can't load. */
export type Scheduler =
  | 'rr'
  | 'wrr'
  | 'lc'
  | 'wlc'
  | 'lblc'
  | 'lblcr'
  | 'dh'
  | 'sh'
  | 'sed'
  | 'nq'
  | 'fo'
  | 'ovf'
  | 'mh'
  | 'twos'
  | (string & {});

/** Scheduler flags (ipvsadm -b): sh-* for sh, mh-* for mh, flag-N raw. */
export type SchedulerFlag =
  'sh-fallback' | 'sh-port' | 'mh-fallback' | 'mh-port' | 'flag-1' | 'flag-2' | 'flag-3';

/** Flags the kernel reports on a service. */
export type ServiceFlag = 'persistent' | 'hashed' | 'one-packet' | 'flag-1' | 'flag-2' | 'flag-3';

export type TunnelType = 'ipip' | 'gue' | 'gre';
export type TunnelChecksum = 'none' | 'csum' | 'remcsum';

/** A virtual service by protocol, address and port (IPv4 or IPv6 by the address). */
export interface AddressServiceKey {
  protocol: Protocol;
  address: string;
  port: number;
}

/** A virtual service by firewall mark. */
export interface FwmarkServiceKey {
  fwmark: number;
  /** Default ipv4. */
  family?: AddressFamily;
}

export type ServiceKey = AddressServiceKey | FwmarkServiceKey;

export interface ServiceOptions {
  /** Default 'wlc', as ipvsadm. */
  scheduler?: Scheduler;
  /** Persistence timeout in seconds (ipvsadm -p); true means 360, as ipvsadm. Absent, false or 0: none. */
  persistence?: number | boolean;
  /** Persistence granularity (ipvsadm -M): dotted mask for IPv4, prefix length 1-128 for IPv6. */
  netmask?: string | number;
  /** Persistence engine (ipvsadm --pe), e.g. 'sip'. Needs persistence. */
  persistenceEngine?: string;
  /** One-packet scheduling (ipvsadm -o), for UDP and fwmark services only. */
  onePacket?: boolean;
  schedulerFlags?: readonly SchedulerFlag[];
}

export type ServiceSpec = (AddressServiceKey | FwmarkServiceKey) & ServiceOptions;

export interface TunnelSpec {
  type: TunnelType;
  /** UDP port for gue (required there). */
  port?: number;
  /** Default 'none'. */
  checksum?: TunnelChecksum;
}

export interface DestinationSpec {
  address: string;
  /** Default: the service's port (0 for fwmark services), as ipvsadm. */
  port?: number;
  /** Default 'route' (direct routing), as ipvsadm. */
  forward?: ForwardMethodInput;
  /** Default 1. 0 stops new connections (a drain). */
  weight?: number;
  /** Upper connection threshold (ipvsadm -x); 0 means none. */
  upperThreshold?: number;
  /** Lower connection threshold (ipvsadm -y); 0 means none. Must not exceed the upper one. */
  lowerThreshold?: number;
  /** Only with forward 'tunnel'. Default: ipip. */
  tunnel?: TunnelSpec;
}

/** Which destination of a service: its address and port. */
export interface DestinationKey {
  address: string;
  /** Default: the service's port, as for DestinationSpec. */
  port?: number;
}

/** Counters (totals since creation or the last zero) and rates (per second, estimated). */
export interface Stats {
  conns: bigint;
  inPkts: bigint;
  outPkts: bigint;
  inBytes: bigint;
  outBytes: bigint;
  cps: bigint;
  inPps: bigint;
  outPps: bigint;
  inBps: bigint;
  outBps: bigint;
}

export interface Destination {
  address: string;
  port: number;
  family: AddressFamily;
  forward: ForwardMethod;
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;
  /** Present for forward 'tunnel'. */
  tunnel?: Required<TunnelSpec>;
  activeConnections: number;
  inactiveConnections: number;
  persistentConnections: number;
  stats: Stats;
}

interface ServiceState {
  family: AddressFamily;
  scheduler: string;
  /** Persistence timeout in seconds; 0 when not persistent. */
  persistence: number;
  /** IPv4: dotted mask; IPv6: prefix length. */
  netmask: string | number;
  persistenceEngine?: string;
  onePacket: boolean;
  schedulerFlags: SchedulerFlag[];
  /** Everything the kernel reports, raw flags included. */
  flags: ServiceFlag[];
  stats: Stats;
  /** Present when listed with { destinations: true }. */
  destinations?: Destination[];
}

/** A service as the kernel reports it: by protocol + address + port, or by fwmark. */
export type Service =
  | (AddressServiceKey & { fwmark?: undefined } & ServiceState)
  | (Required<FwmarkServiceKey> & {
      protocol?: undefined;
      address?: undefined;
      port?: undefined;
    } & ServiceState);

export interface Timeouts {
  /** Seconds. In setTimeouts, 0 or absent leaves a value unchanged. */
  tcp: number;
  tcpFin: number;
  udp: number;
}

export interface Info {
  /** e.g. "1.2.1". */
  version: string;
  /** (major << 16) | (minor << 8) | patch. */
  versionCode: number;
  /** Size of the connection hash table. */
  connectionTableSize: number;
}

export type DaemonState = 'master' | 'backup';

export interface DaemonSpec {
  state: DaemonState;
  /** Multicast interface (ipvsadm --mcast-interface). */
  interface: string;
  /** ipvsadm --syncid, 0-255. Default 0. */
  syncId?: number;
  /** ipvsadm --sync-maxlen. Default: the kernel's. */
  maxLength?: number;
  /** ipvsadm --mcast-group. Default: the kernel's (224.0.0.81). */
  group?: string;
  /** ipvsadm --mcast-port. Default: the kernel's (8848). */
  port?: number;
  /** ipvsadm --mcast-ttl, 1-255. Default: the kernel's (1). */
  ttl?: number;
}

export interface Daemon {
  state: DaemonState;
  interface: string;
  syncId: number;
  maxLength: number;
  group?: string;
  port: number;
  ttl: number;
}

export interface Endpoint {
  address: string;
  port: number;
}

/** One entry of the connection table (/proc/net/ip_vs_conn). */
export interface Connection {
  protocol: string;
  client: Endpoint;
  virtual: Endpoint;
  destination: Endpoint;
  /** The protocol state, e.g. ESTABLISHED, FIN_WAIT, UDP. */
  state: string;
  /** Seconds until the entry expires. */
  expires: number;
  persistenceEngine?: string;
  persistenceData?: string;
}

export interface OpenOptions {
  /** A network namespace file (/run/netns/NAME, /proc/PID/ns/net). Default: the caller's. */
  netns?: string;
  /** Deadline for each exchange with the kernel, in ms: 1 to 86400000 (24 h). Default 10000. */
  timeoutMs?: number;
}

export interface ListOptions {
  /** Also list each service's destinations (one more dump per service, in the same exchange). */
  destinations?: boolean;
}
