// The addon's surface, exactly as native/addon registers it: types only, so that nothing crosses
// the boundary untyped. Compiled, this file is the addon's .d.ts. Field names match
// native/addon/js_convert.cc; numbers are the kernel's constants (see NativeConstants).
import type { Stats } from '../model/types.js';

/** A virtual service as the addon reads and writes it. Ports are host order. */
export interface NativeService {
  family: number;
  protocol: number;
  /** Text form; empty or absent for a fwmark service. */
  address?: string;
  port: number;
  fwmark: number;
  scheduler?: string;
  peName?: string;
  flags?: number;
  flagsMask?: number;
  timeout?: number;
  /** IPv4: the mask as a host-order integer; IPv6: the prefix length. */
  netmask?: number;
}

/** Stats cross the boundary already in their public form (bigint counters and rates). */
export type NativeStats = Stats;

export interface NativeServiceReply extends Omit<Required<NativeService>, 'flagsMask'> {
  address: string;
  stats: NativeStats;
}

export interface NativeDest {
  family: number;
  address: string;
  port: number;
  fwdMethod?: number;
  weight?: number;
  upperThreshold?: number;
  lowerThreshold?: number;
  tunType?: number;
  tunPort?: number;
  tunFlags?: number;
}

export interface NativeDestReply extends Required<NativeDest> {
  activeConns: number;
  inactiveConns: number;
  persistentConns: number;
  stats: NativeStats;
}

export interface NativeDaemon {
  state: number;
  mcastIfn?: string;
  syncId?: number;
  syncMaxlen?: number;
  mcastFamily?: number;
  mcastGroup?: string;
  mcastPort?: number;
  mcastTtl?: number;
}

export interface NativeTimeouts {
  tcp: number;
  tcpFin: number;
  udp: number;
}

export interface NativeInfo {
  version: number;
  connTableSize: number;
}

/** One operation. `command` is a value of NativeConstants.commands. */
export interface NativeRequest {
  command: number;
  service?: NativeService;
  dest?: NativeDest;
  daemon?: NativeDaemon;
  timeouts?: NativeTimeouts;
}

/** A request's answer: 0 for a plain success, or an object (an error, or data). */
export type NativeReply =
  | 0
  | {
      /** 0, or the positive errno the kernel refused with. */
      error: number;
      /** The kernel's extended-ack message, when it gave one. */
      message?: string;
      /**
       * With an error: the extended ack's offset (NLMSGERR_ATTR_OFFS), when the kernel sent one,
       * i.e. bytes from the start of the refused message to the attribute it blames.
       */
      offset?: number;
      services?: NativeTable;
      dests?: NativeTable;
      daemons?: Required<NativeDaemon>[];
      timeouts?: NativeTimeouts;
      info?: NativeInfo;
    };

/**
 * Many destination dumps answered as one table (dumpDestinations()): dump i's rows are
 * dests rows ends[i - 1] (0 for the first) to ends[i] - 1.
 */
export interface NativeDestDumps {
  /** Per dump: 0, or the positive errno the kernel refused it with. */
  errors: Int32Array;
  ends: Uint32Array;
  dests: NativeTable;
  /** Per dump, the kernel's extended-ack message ('' for none); absent when it gave none. */
  messages?: string[];
}

/**
 * The step of the addon's work that failed (native/socket/system_error.h, ipvs::Step). Stable:
 * code tells failures apart by it, never by the message, whose text is for people.
 */
export type NativeStep =
  /** Opening a network namespace file: the target, or the thread's own. */
  | 'netns-open'
  /** setns() into the target namespace (EINVAL: the file is not a network namespace). */
  | 'netns-enter'
  | 'netns-unshare'
  /** Creating, binding or configuring the netlink socket. */
  | 'socket'
  /** Resolving the IPVS generic netlink family (ENOENT: the kernel has no IPVS). */
  | 'resolve-family'
  /** open()'s GET_INFO request, which checks that IPVS answers (EPERM without CAP_NET_ADMIN). */
  | 'probe'
  /** poll() on the socket during an exchange. */
  | 'wait'
  /** Reading a file below /proc/net. */
  | 'proc-read'
  /** Reading or writing a /proc/sys value. */
  | 'sysctl'
  /** The handle is closed (EBADF). */
  | 'closed'
  /** An exchange already runs on the handle (EBUSY), or a receive waits on a VRRP socket. */
  | 'busy'
  /** Sending a datagram on a VRRP socket. */
  | 'send'
  /** Receiving one. */
  | 'receive';

/**
 * An Error from the addon. An OS or kernel failure carries its errno and the step that failed,
 * always both; any other error (a TypeError for bad arguments, ...) carries neither.
 */
export type NativeError = Error &
  ({ errno: number; step: NativeStep } | { errno?: undefined; step?: undefined });

export interface NativeClient {
  /** The IPVS generic netlink family id, resolved once at open. Undefined after close(). */
  readonly familyId: number | undefined;
  /**
   * Sends `count` requests, packed by lib/kernel/request-records.ts (chunked, many per sendmsg), and
   * resolves with one reply each. The records are read before this returns.
   */
  execute(packed: Uint8Array, count: number, timeoutMs: number): Promise<NativeReply[]>;
  /**
   * Sends `count` destination dumps (every record a getDests) as execute() does, and resolves
   * with all their rows in one table: one reply object for thousands of dumps, not one each.
   */
  dumpDestinations(packed: Uint8Array, count: number, timeoutMs: number): Promise<NativeDestDumps>;
  /** /proc/net/NAME as seen from the handle's network namespace. */
  readProcNet(name: string): Promise<string>;
  /** Cancels a running exchange (its unanswered requests get ECANCELED) and closes the socket. */
  close(): void;
  /** Traffic on the socket so far; an empty object after close(). */
  counters(): Partial<TransportCounters>;
}

export interface TransportCounters {
  sendmsgCalls: number;
  messagesSent: number;
  bytesSent: number;
  datagramsReceived: number;
}

export type NativeCommandName =
  | 'newService'
  | 'setService'
  | 'delService'
  | 'getService'
  | 'getServices'
  | 'newDest'
  | 'setDest'
  | 'delDest'
  | 'getDests'
  | 'newDaemon'
  | 'delDaemon'
  | 'getDaemons'
  | 'setConfig'
  | 'getConfig'
  | 'getInfo'
  | 'zero'
  | 'flush';

/** Constants straight from <linux/ip_vs.h> and the socket headers. */
export interface NativeConstants {
  readonly AF_INET: number;
  readonly AF_INET6: number;
  readonly IPPROTO_TCP: number;
  readonly IPPROTO_UDP: number;
  readonly IPPROTO_SCTP: number;
  readonly IP_VS_SVC_F_PERSISTENT: number;
  readonly IP_VS_SVC_F_HASHED: number;
  readonly IP_VS_SVC_F_ONEPACKET: number;
  readonly IP_VS_SVC_F_SCHED1: number;
  readonly IP_VS_SVC_F_SCHED2: number;
  readonly IP_VS_SVC_F_SCHED3: number;
  readonly IP_VS_SVC_F_SCHED_SH_FALLBACK: number;
  readonly IP_VS_SVC_F_SCHED_SH_PORT: number;
  readonly IP_VS_CONN_F_FWD_MASK: number;
  readonly IP_VS_CONN_F_MASQ: number;
  readonly IP_VS_CONN_F_LOCALNODE: number;
  readonly IP_VS_CONN_F_TUNNEL: number;
  readonly IP_VS_CONN_F_DROUTE: number;
  readonly IP_VS_CONN_F_BYPASS: number;
  readonly IP_VS_CONN_F_TUNNEL_TYPE_IPIP: number;
  readonly IP_VS_CONN_F_TUNNEL_TYPE_GUE: number;
  readonly IP_VS_CONN_F_TUNNEL_TYPE_GRE: number;
  readonly IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM: number;
  readonly IP_VS_TUNNEL_ENCAP_FLAG_CSUM: number;
  readonly IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM: number;
  readonly IP_VS_STATE_NONE: number;
  readonly IP_VS_STATE_MASTER: number;
  readonly IP_VS_STATE_BACKUP: number;
  readonly IP_VS_SCHEDNAME_MAXLEN: number;
  readonly IP_VS_PENAME_MAXLEN: number;
  readonly IP_VS_IFNAME_MAXLEN: number;
  /** The longest timeoutMs execute() and netConfig() accept (24 h): the library's one cap. */
  readonly MAX_TIMEOUT_MS: number;
  readonly commands: Readonly<Record<NativeCommandName, number>>;
}

/**
 * Dumped services or destinations as columns (native/addon/reply_tables.h): row i's numbers are
 * numbers[i * width ...], its stats stats[i * 10 ...], its texts the NUL-separated fields of
 * `texts` in order. lib/reply-tables.ts reads them back into rows.
 */
export interface NativeTable {
  count: number;
  numbers: Uint32Array;
  stats: BigUint64Array;
  texts: string;
}

/** Column names, in order, of the reply tables. */
export interface NativeReplyLayout {
  readonly service: { readonly numbers: readonly string[]; readonly texts: readonly string[] };
  readonly dest: { readonly numbers: readonly string[]; readonly texts: readonly string[] };
  readonly stats: readonly string[];
}

/** Byte offsets within one packed request record; `size` is the record's length. */
export interface NativeRequestLayout {
  readonly size: number;
  readonly command: number;
  readonly parts: number;
  readonly partService: number;
  readonly partDest: number;
  readonly partDaemon: number;
  readonly partTimeouts: number;
  readonly service: Readonly<
    Record<
      | 'family'
      | 'protocol'
      | 'port'
      | 'fwmark'
      | 'flags'
      | 'flagsMask'
      | 'timeout'
      | 'netmask'
      | 'address'
      | 'scheduler'
      | 'peName',
      number
    >
  >;
  readonly dest: Readonly<
    Record<
      | 'family'
      | 'port'
      | 'fwdMethod'
      | 'weight'
      | 'upperThreshold'
      | 'lowerThreshold'
      | 'tunPort'
      | 'tunFlags'
      | 'tunType'
      | 'address',
      number
    >
  >;
  readonly daemon: Readonly<
    Record<
      | 'state'
      | 'syncId'
      | 'syncMaxlen'
      | 'mcastFamily'
      | 'mcastPort'
      | 'mcastTtl'
      | 'mcastIfn'
      | 'mcastGroup',
      number
    >
  >;
  readonly timeouts: Readonly<Record<'tcp' | 'tcpFin' | 'udp', number>>;
}

/**
 * A network-configuration request (native/rtnl), as lib/kernel/net-request-packer.ts packs it
 * for netConfig() and encodeNetRequest().
 */
export type NativeNetRequest =
  | { op: 'getLinks' | 'getAddresses' }
  | { op: 'getRoutes'; family: number }
  | { op: 'setLinkUp' | 'setLinkDown' | 'ensureIpip'; ifname: string }
  | {
      op: 'addAddress' | 'delAddress';
      ifname: string;
      address: string;
      prefixLength: number;
      label?: string;
    }
  | { op: 'readSysctl'; path: string }
  | { op: 'writeSysctl'; path: string; value: string };

export interface NativeLink {
  index: number;
  name: string;
  /** IFF_* flags (IFF_UP is 1). */
  flags: number;
  /** IFLA_INFO_KIND ("ipip", "veth", ...), "" for none. */
  kind: string;
}

export interface NativeAddress {
  ifindex: number;
  family: number;
  address: string;
  prefixLength: number;
  scope: number;
  label: string;
}

export interface NativeRoute {
  family: number;
  /** The destination, "0.0.0.0" or "::" with dstLength 0 for a default route. */
  dst: string;
  dstLength: number;
  table: number;
  /** RTN_* (1 unicast, 2 local, ...). */
  type: number;
  gateway?: string;
  oif: number;
}

export type NativeNetOp = NativeNetRequest['op'];

/** Byte offsets within one packed network-configuration record (packed_net_request.h). */
export interface NativeNetRequestLayout {
  readonly size: number;
  readonly op: number;
  readonly family: number;
  readonly prefixLength: number;
  readonly ifname: number;
  readonly address: number;
  readonly label: number;
  readonly path: number;
  readonly value: number;
  /** The most characters each text field holds. */
  readonly capacity: Readonly<Record<'ifname' | 'address' | 'label' | 'path' | 'value', number>>;
  /** The number a record's `op` holds for each op. */
  readonly ops: Readonly<Record<NativeNetOp, number>>;
}

/** One request's outcome: error 0 with its data, or a positive errno and a message. */
export interface NativeNetReply {
  error: number;
  message?: string;
  /** With an error: the extended ack's offset, as NativeReply's. */
  offset?: number;
  links?: NativeLink[];
  addresses?: NativeAddress[];
  routes?: NativeRoute[];
  value?: string;
}

export interface NativeBinding {
  /** The N-API version the addon was built against (NAPI_VERSION in binding.gyp / CMakeLists). */
  readonly napiVersion: number;
  readonly constants: NativeConstants;
  /** Opens a handle whose socket lives in the namespace at `netnsPath`. */
  open(netnsPath: string): Promise<NativeClient>;
  /** Offsets of the packed request record (native/addon/packed_request.h). */
  readonly requestLayout: NativeRequestLayout;
  /** Column orders of the reply tables (native/addon/reply_tables.h). */
  readonly replyLayout: NativeReplyLayout;
  /** The exact netlink message execute() would send for the first packed record (golden tests). */
  encodeRequest(packed: Uint8Array, familyId: number, seq: number): Buffer;
  /**
   * The reply execute() would give for one received datagram answering the first packed record:
   * its data, or for an NLMSG_ERROR refusal the errno, message and offset. Throws a TypeError
   * when the datagram is malformed (decoder golden and fuzz tests).
   */
  decodeReply(packed: Uint8Array, datagram: Buffer): NativeReply;
  /**
   * Moves the calling thread (the main thread, from JS) into a new, empty network namespace.
   * Children spawned afterwards inherit it. Used by the test harness; needs CAP_SYS_ADMIN.
   */
  unshareNetwork(): void;
  /**
   * Runs `count` rtnetlink and /proc/sys requests, packed by lib/kernel/net-request-packer.ts,
   * inside the namespace at `netnsPath`, in order, on a worker thread; one reply each. Rejects
   * (with errno and step) only when the namespace cannot be entered or the socket opened.
   */
  netConfig(
    netnsPath: string,
    packed: Uint8Array,
    count: number,
    timeoutMs: number,
  ): Promise<NativeNetReply[]>;
  /** Offsets of the packed network-configuration record (native/addon/packed_net_request.h). */
  readonly netRequestLayout: NativeNetRequestLayout;
  /** The rtnetlink message netConfig would send for the first packed record (golden tests). */
  encodeNetRequest(packed: Uint8Array, ifindex: number, seq: number): Buffer;
  /**
   * Opens VRRP's raw socket (IP protocol 112) of `family` (default 'ipv4') inside the namespace
   * at `netnsPath`, bound to `ifname` there and joined to 224.0.0.18 or ff02::12 on it, sending
   * with TTL / hop limit 255 (native/vrrp/). Rejects with step 'socket' (ENODEV: no such
   * interface; EPERM: no CAP_NET_RAW) or a namespace step.
   */
  vrrpOpen(netnsPath: string, ifname: string, family?: 'ipv4' | 'ipv6'): Promise<NativeVrrpSocket>;
  /**
   * Opens an announcer for `ifname` inside the namespace at `netnsPath` (native/vrrp/announcer):
   * a packet socket for gratuitous ARP and a raw ICMPv6 socket for unsolicited neighbour
   * advertisements, from the interface's Ethernet address. Rejects with step 'socket' (ENODEV:
   * no such interface; EOPNOTSUPP: not Ethernet; EPERM: no CAP_NET_RAW) or a namespace step.
   */
  announcerOpen(netnsPath: string, ifname: string): Promise<NativeAnnouncer>;
  /**
   * The bytes announce() would send for `address` from `hardwareAddress` (6 bytes): the 28-byte
   * ARP packet for IPv4, the 32-byte ICMPv6 message (checksum 0, the kernel's) for IPv6.
   */
  encodeAnnouncement(hardwareAddress: Uint8Array, address: string): Buffer;
}

/** One datagram a VRRP socket received. */
export interface NativeVrrpDatagram {
  /** The IP payload: the VRRP message, unchecked. */
  payload: Buffer;
  /** The sender: for IPv6 its link-local address, as RFC 5798 has it send. */
  source: string;
  /**
   * The IP header's destination: 224.0.0.18 or ff02::12, or this host for a unicast peer (IPv6:
   * from IPV6_PKTINFO, since a raw IPv6 socket hands over no header).
   */
  destination: string;
  /** The IP TTL or hop limit; -1 when the kernel gave none. RFC 5798 drops all but 255. */
  ttl: number;
  /** The interface it arrived on (IP_PKTINFO, IPV6_PKTINFO). */
  ifindex: number;
}

export interface NativeVrrpSocket {
  /** The bound interface's index in the socket's namespace; undefined after close(). */
  readonly ifindex: number | undefined;
  /**
   * The next datagram, or null when `timeoutMs` passed first. One receive at a time (a second
   * rejects with step 'busy'); close() makes a waiting one reject with step 'closed'.
   */
  receive(timeoutMs: number): Promise<NativeVrrpDatagram | null>;
  /**
   * Sends one VRRP message to the group or a unicast peer of the socket's family (a TypeError
   * for another): IPv4 at most 1036 bytes (8 of header, 255 addresses of 4, 8 of v2
   * authentication), IPv6 at most 4088 (255 addresses of 16); a RangeError beyond. The kernel
   * picks the source: for IPv6 the interface's link-local address, which the v3 checksum covers.
   */
  send(message: Uint8Array, destination: string): void;
  /** Idempotent. */
  close(): void;
}

/** Gratuitous ARP and unsolicited neighbour advertisement on one interface. */
export interface NativeAnnouncer {
  /** The interface's index in the announcer's namespace; undefined after close(). */
  readonly ifindex: number | undefined;
  /** Its Ethernet address as read at open ("02:00:5e:..."); undefined after close(). */
  readonly hardwareAddress: string | undefined;
  /**
   * Sends one announcement: a broadcast gratuitous ARP for an IPv4 address, an unsolicited
   * neighbour advertisement (Override set) to ff02::1 for an IPv6 one. A TypeError for anything
   * else; step 'send' when the kernel refuses, 'closed' after close().
   */
  announce(address: string): void;
  /** Idempotent. */
  close(): void;
}
