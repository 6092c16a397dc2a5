// ipvsadm 1.31's command line, read as ipvsadm reads it: the same options, the same defaults
// (wlc, -g, -w 1, DR/TUN real-server port = virtual port), the same refusals in the same order
// with the same messages and exit codes. The result is a typed command for the library.
import { isIP } from 'node:net';
import type {
  DaemonSpec,
  DaemonState,
  DestinationSpec,
  Protocol,
  SchedulerFlag,
  ServiceKey,
  ServiceSpec,
  TunnelChecksum,
  TunnelType,
} from '../model/types.js';
import { allDigits, inetAton, numberInRange, wholeDecimal } from './c-numbers.js';
import { ServiceNames, hostToIpv4 } from './names.js';
import { scan, type OptionDef } from './popt.js';

/** The process must end: text for stdout or stderr, and the exit code ipvsadm would use. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    readonly stderr: string,
    readonly stdout = '',
  ) {
    super(stderr || stdout);
  }
}

export interface ListFormat {
  numeric: boolean;
  stats: boolean;
  rate: boolean;
  thresholds: boolean;
  persistentConn: boolean;
  noSort: boolean;
  exact: boolean;
  tunInfo: boolean;
}

export type Command =
  | { kind: 'list'; format: ListFormat; what: 'all' | 'connections' | 'timeout' | 'daemon' }
  | { kind: 'list-service'; format: ListFormat; service: ServiceKey }
  | { kind: 'save'; format: ListFormat }
  | { kind: 'restore' }
  | { kind: 'flush' }
  | { kind: 'add-service' | 'edit-service'; service: ServiceSpec }
  | { kind: 'delete-service'; service: ServiceKey }
  | { kind: 'zero'; service?: ServiceKey }
  | { kind: 'add-server' | 'edit-server'; service: ServiceKey; destination: DestinationSpec }
  | { kind: 'delete-server'; service: ServiceKey; destination: { address: string; port: number } }
  | { kind: 'set'; timeouts: { tcp: number; tcpFin: number; udp: number } }
  | { kind: 'start-daemon'; daemon: DaemonSpec }
  | { kind: 'stop-daemon'; state: DaemonState };

export const CMD_NAMES = [
  'add-service',
  'edit-service',
  'delete-service',
  'flush',
  'list',
  'add-server',
  'delete-server',
  'edit-server',
  'set',
  'start-daemon',
  'stop-daemon',
  'restore',
  'save',
  'zero',
] as const;
type CmdName = (typeof CMD_NAMES)[number];

// Options in ipvsadm's bit order (OPTC_*): the legality table and its messages follow this order.
const OPT_NAMES = [
  'numeric',
  'connection',
  'service-address',
  'scheduler',
  'persistent',
  'netmask',
  'real-server',
  'forwarding-method',
  'weight',
  'u-threshold',
  'l-threshold',
  'mcast-interface',
  'timeout',
  'daemon',
  'stats',
  'rate',
  'thresholds',
  'persistent-conn',
  'nosort',
  'syncid',
  'exact',
  'ops',
  'pe',
  'sched-flags',
  'mcast-group',
  'mcast-port',
  'mcast-ttl',
  'sync-maxlen',
  'tun-info',
  'tun-type',
  'tun-port',
  'tun-nocsum',
  'tun-csum',
  'tun-remcsum',
] as const;
type OptName = (typeof OPT_NAMES)[number];

// commands_v_options: '+' compulsory, 'x' illegal, '1' exclusive, ' ' optional; one column per option above.
const LEGAL: Record<CmdName, string> = {
  'add-service': 'xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx',
  'edit-service': 'xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx',
  'delete-service': 'xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  flush: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  list: ' 11xxxxxxxxx11       xxxxxxx xxxxx',
  'add-server': 'xx+xxx+    xxxxxxxxxxxxxxxxxx     ',
  'delete-server': 'xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxx',
  'edit-server': 'xx+xxx+    xxxxxxxxxxxxxxxxxx     ',
  set: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  'start-daemon': 'xxxxxxxxxxx xxxxxxx xxxx    xxxxxx',
  'stop-daemon': 'xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxx',
  restore: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  save: ' xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  zero: 'xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
};

const TUN_NAMES: readonly TunnelType[] = ['ipip', 'gue', 'gre'];
// tunnel_types_v_options, columns tun-port, tun-nocsum, tun-csum, tun-remcsum.
const TUN_OPTS: readonly OptName[] = ['tun-port', 'tun-nocsum', 'tun-csum', 'tun-remcsum'];
const TUN_LEGAL: Record<TunnelType, string> = { ipip: 'xxxx', gue: '+111', gre: 'x11x' };

const o = (
  long: string,
  short: string | undefined,
  argument: OptionDef['argument'],
  tag = short ?? long,
): OptionDef => (short === undefined ? { long, argument, tag } : { long, short, argument, tag });

const OPTION_TABLE: readonly OptionDef[] = [
  o('add-service', 'A', 'none'),
  o('edit-service', 'E', 'none'),
  o('delete-service', 'D', 'none'),
  o('clear', 'C', 'none'),
  o('list', 'L', 'none'),
  o('list', 'l', 'none'),
  o('zero', 'Z', 'none'),
  o('add-server', 'a', 'none'),
  o('edit-server', 'e', 'none'),
  o('delete-server', 'd', 'none'),
  o('set', undefined, 'none'),
  o('help', 'h', 'none'),
  o('version', 'v', 'none'),
  o('restore', 'R', 'none'),
  o('save', 'S', 'none'),
  o('start-daemon', undefined, 'required'),
  o('stop-daemon', undefined, 'required'),
  o('tcp-service', 't', 'required'),
  o('udp-service', 'u', 'required'),
  o('sctp-service', undefined, 'required'),
  o('fwmark-service', 'f', 'required'),
  o('scheduler', 's', 'required'),
  o('persistent', 'p', 'optional'),
  o('netmask', 'M', 'required'),
  o('real-server', 'r', 'required'),
  o('masquerading', 'm', 'none'),
  o('ipip', 'i', 'none'),
  o('gatewaying', 'g', 'none'),
  o('weight', 'w', 'required'),
  o('u-threshold', 'x', 'required'),
  o('l-threshold', 'y', 'required'),
  o('numeric', 'n', 'none'),
  o('connection', 'c', 'none'),
  o('mcast-interface', undefined, 'required'),
  o('syncid', undefined, 'required'),
  o('timeout', undefined, 'none'),
  o('daemon', undefined, 'none'),
  o('stats', undefined, 'none'),
  o('rate', undefined, 'none'),
  o('thresholds', undefined, 'none'),
  o('persistent-conn', undefined, 'none'),
  o('nosort', undefined, 'none'),
  o('sort', undefined, 'none'),
  o('exact', 'X', 'none'),
  o('ipv6', '6', 'none'),
  o('ops', 'o', 'none'),
  o('pe', undefined, 'required'),
  o('sched-flags', 'b', 'required'),
  o('mcast-group', undefined, 'required'),
  o('mcast-port', undefined, 'required'),
  o('mcast-ttl', undefined, 'required'),
  o('sync-maxlen', undefined, 'required'),
  o('tun-info', undefined, 'none'),
  o('tun-type', undefined, 'required'),
  o('tun-port', undefined, 'required'),
  o('tun-nocsum', undefined, 'none'),
  o('tun-csum', undefined, 'none'),
  o('tun-remcsum', undefined, 'none'),
];

const FWD = { masq: 'masq', route: 'route', tunnel: 'tunnel' } as const;
const MAX_TIMEOUT = 86400 * 31;
const PERSISTENT_TIMEOUT = 6 * 60;

/** ipvsadm's struct ipvs_command_entry while it is being filled in. */
interface Entry {
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
  };
  dest: {
    family: 4 | 6;
    address?: string;
    port: number;
    forward: 'masq' | 'route' | 'tunnel';
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
}

export interface ParseContext {
  /** argv[0] as ipvsadm prints it in its "Try ... -h" hint and usage. */
  program: string;
  services?: ServiceNames;
  /** Reading a rules file: also accept the negative fwmarks that -S prints. */
  restoring?: boolean;
  /** gethostbyname for names that are not addresses; default: the system resolver. */
  resolveHost?: (name: string) => string | undefined;
}

function fail(message: string): never {
  throw new CliExit(2, `${message}\n`);
}

export function tryHelp(program: string): CliExit {
  return new CliExit(255, `Try \`${program} -h' or '${program} --help' for more information.\n`);
}

export const VERSION_LINE = 'ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n';

export type Parsed = Command | { kind: 'help' } | { kind: 'version' };

const COMMAND_OF: Readonly<Record<string, CmdName>> = {
  A: 'add-service',
  E: 'edit-service',
  D: 'delete-service',
  C: 'flush',
  L: 'list',
  l: 'list',
  Z: 'zero',
  a: 'add-server',
  e: 'edit-server',
  d: 'delete-server',
  set: 'set',
  R: 'restore',
  S: 'save',
  'start-daemon': 'start-daemon',
  'stop-daemon': 'stop-daemon',
};

const PROTOCOL_OF: Readonly<Record<string, Protocol>> = {
  t: 'tcp',
  u: 'udp',
  'sctp-service': 'sctp',
};

export function parseArgs(argv: readonly string[], context: ParseContext): Parsed {
  const services = context.services ?? ServiceNames.fromFile();
  const resolveHost = context.resolveHost ?? hostToIpv4;
  const { options, leftovers, error } = scan(argv, OPTION_TABLE);
  const [first, ...rest] = options;
  if (!first) throw tryHelp(context.program);
  if (first.tag === 'h') throw new CliExit(0, '', usage(context.program));
  if (first.tag === 'v') throw new CliExit(0, '', VERSION_LINE);
  const cmd = COMMAND_OF[first.tag];
  if (!cmd) throw tryHelp(context.program);

  const ce: Entry = {
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
    },
    dest: {
      family: 4,
      port: 0,
      forward: FWD.route,
      weight: 1,
      upper: 0,
      lower: 0,
      tunType: 'ipip',
      tunPort: 0,
      checksum: 'none',
    },
    daemon: { ifname: '', syncId: 0 },
  };
  if (cmd === 'start-daemon' || cmd === 'stop-daemon') {
    if (first.value === 'master' || first.value === 'backup') ce.daemon.state = first.value;
    else
      fail(
        cmd === 'start-daemon'
          ? 'illegal start-daemon parameter specified'
          : 'illegal start_daemon specified',
      );
  }

  const given = new Set<OptName>();
  const format: ListFormat = {
    numeric: false,
    stats: false,
    rate: false,
    thresholds: false,
    persistentConn: false,
    noSort: false,
    exact: false,
    tunInfo: false,
  };
  let schedFlagsArg = '';
  const set = (name: OptName): void => {
    if (given.has(name)) fail(`multiple '${name}' options specified`);
    given.add(name);
  };

  for (const option of rest) {
    const value = option.value ?? '';
    switch (option.tag) {
      case 't':
      case 'u':
      case 'sctp-service': {
        set('service-address');
        ce.svc.protocol = PROTOCOL_OF[option.tag] ?? 'tcp';
        const parsed = parseService(value, ce.svc.protocol, services, resolveHost);
        if (!parsed) fail('illegal virtual server address[:port] specified');
        ce.svc.family = parsed.family;
        ce.svc.address = parsed.address;
        if (parsed.family === 6) ce.svc.netmask = 128;
        if (parsed.port !== undefined) ce.svc.port = parsed.port;
        break;
      }
      case 'f': {
        set('service-address');
        ce.svc.family = 4;
        ce.svc.protocol = 'tcp';
        let mark = wholeDecimal(value);
        // -S prints fwmarks with %d (0xffffffff as -1); a rules file may carry them back.
        if (context.restoring && mark !== undefined && mark < 0 && mark >= -0x80000000)
          mark += 0x100000000;
        if (mark === undefined || mark <= 0 || mark > 0xffffffff)
          fail(`invalid fwmark value \`${value}' specified`);
        ce.svc.fwmark = mark;
        break;
      }
      case 's':
        set('scheduler');
        ce.svc.scheduler = value.slice(0, 15);
        break;
      case 'p':
        set('persistent');
        ce.svc.persistent = true;
        ce.svc.timeout = option.value === undefined ? PERSISTENT_TIMEOUT : timeoutValue(value, 1);
        break;
      case 'M':
        set('netmask');
        if (ce.svc.family !== 6) {
          const mask = inetAton(value) ?? resolveHost(value);
          if (mask === undefined) fail('illegal virtual server persistent mask specified');
          ce.svc.netmask = mask;
        } else {
          const bits = Number.parseInt(value, 10);
          if (!(bits >= 1 && bits <= 128)) fail('illegal ipv6 netmask specified');
          ce.svc.netmask = bits;
        }
        break;
      case 'r': {
        set('real-server');
        const parsed = parseService(value, ce.svc.protocol, services, resolveHost);
        if (!parsed) fail('illegal real server address[:port] specified');
        ce.dest.family = parsed.family;
        ce.dest.address = parsed.address;
        ce.dest.port = parsed.port ?? ce.svc.port;
        break;
      }
      case 'i':
      case 'g':
      case 'm':
        set('forwarding-method');
        ce.dest.forward =
          option.tag === 'i' ? FWD.tunnel : option.tag === 'g' ? FWD.route : FWD.masq;
        break;
      case 'w':
        set('weight');
        // Debian's ipvsadm 1.31 (the reference) takes any int here, not the 0-65535 of the tarball.
        ce.dest.weight = numberInRange(value, 0, 2147483647) ?? fail('illegal weight specified');
        break;
      case 'x':
        set('u-threshold');
        ce.dest.upper =
          numberInRange(value, 0, 2147483647) ?? fail('illegal u_threshold specified');
        break;
      case 'y':
        set('l-threshold');
        ce.dest.lower =
          numberInRange(value, 0, 2147483647) ?? fail('illegal l_threshold specified');
        break;
      case 'c':
        set('connection');
        break;
      case 'n':
        set('numeric');
        format.numeric = true;
        break;
      case 'mcast-interface':
        set('mcast-interface');
        ce.daemon.ifname = value.slice(0, 15);
        break;
      case 'syncid':
        set('syncid');
        ce.daemon.syncId = numberInRange(value, 0, 255) ?? fail('illegal syncid specified');
        break;
      case 'timeout':
        set('timeout');
        break;
      case 'daemon':
        set('daemon');
        break;
      case 'stats':
        set('stats');
        format.stats = true;
        break;
      case 'rate':
        set('rate');
        format.rate = true;
        break;
      case 'thresholds':
        set('thresholds');
        format.thresholds = true;
        break;
      case 'persistent-conn':
        set('persistent-conn');
        format.persistentConn = true;
        break;
      case 'nosort':
        set('nosort');
        format.noSort = true;
        break;
      case 'sort':
        // Sorting is the default; ipvsadm keeps --sort as a no-op for old scripts.
        break;
      case 'X':
        set('exact');
        format.exact = true;
        break;
      case '6':
        if (ce.svc.fwmark === 0) fail('-6 used before -f\n');
        ce.svc.family = 6;
        ce.svc.netmask = 128;
        break;
      case 'o':
        set('ops');
        ce.svc.onePacket = true;
        break;
      case 'pe':
        set('pe');
        ce.svc.pe = value.slice(0, 16);
        break;
      case 'b':
        set('sched-flags');
        schedFlagsArg = value.slice(0, 127);
        break;
      case 'mcast-group': {
        set('mcast-group');
        const v6 = value.includes(':');
        const ok = v6
          ? isIP(value) === 6 && /^ff/i.test(value)
          : isIP(value) === 4 && isIpv4Multicast(value);
        if (!ok) fail(`invalid ${v6 ? 'IPv6' : 'IPv4'} mcast-group \`${value}'`);
        ce.daemon.group = value;
        break;
      }
      case 'mcast-port':
        set('mcast-port');
        ce.daemon.port = numberInRange(value, 1, 65535) ?? fail('illegal mcast-port specified');
        break;
      case 'mcast-ttl':
        set('mcast-ttl');
        ce.daemon.ttl = numberInRange(value, 1, 255) ?? fail('illegal mcast-ttl specified');
        break;
      case 'sync-maxlen':
        set('sync-maxlen');
        ce.daemon.maxLength =
          numberInRange(value, 1, 65535 - 20 - 8) ?? fail('illegal sync-maxlen specified');
        break;
      case 'tun-info':
        set('tun-info');
        format.tunInfo = true;
        break;
      case 'tun-type': {
        set('tun-type');
        const type = TUN_NAMES.find((t) => t === value);
        if (!type) fail('illegal tunnel type specified');
        ce.dest.tunType = type;
        break;
      }
      case 'tun-port':
        set('tun-port');
        ce.dest.tunPort = numberInRange(value, 1, 65535) ?? fail('illegal tunnel port specified');
        break;
      case 'tun-nocsum':
      case 'tun-csum':
      case 'tun-remcsum':
        set(option.tag);
        // Two of these together are refused later (tunnel_opt_check), so the last one can win.
        if (option.tag !== 'tun-nocsum')
          ce.dest.checksum = option.tag === 'tun-csum' ? 'csum' : 'remcsum';
        break;
      default:
        // A second command (or -h, -v) lands here too, as in ipvsadm.
        fail(`invalid option \`${option.word}'`);
    }
  }
  if (error) throw new CliExit(255, `${error.word}: ${error.reason}\n`);

  let timeouts = { tcp: 0, tcpFin: 0, udp: 0 };
  const args = [...leftovers];
  if (cmd === 'set') {
    if (args.length < 3) fail('--set option requires 3 timeout values');
    const [tcp, tcpFin, udp] = args.splice(0, 3) as [string, string, string];
    timeouts = {
      tcp: timeoutValue(tcp, 0),
      tcpFin: timeoutValue(tcpFin, 0),
      udp: timeoutValue(udp, 0),
    };
  }
  if (args[0] !== undefined) fail(`unexpected argument ${args[0]}`);
  const schedulerFlags =
    schedFlagsArg === '' ? [] : parseSchedFlags(ce.svc.scheduler || 'wlc', schedFlagsArg);

  checkLegal(cmd, given);
  return finish(cmd, ce, given, format, timeouts, schedulerFlags);
}

function timeoutValue(text: string, min: number): number {
  return (
    numberInRange(text, min, MAX_TIMEOUT) ?? fail(`invalid timeout value \`${text}' specified`)
  );
}

function isIpv4Multicast(address: string): boolean {
  const firstOctet = Number(address.split('.')[0]);
  return firstOctet >= 224 && firstOctet <= 239;
}

/** ipvsadm's parse_service: host[:port] or [v6]:port; names through the resolver and /etc/services. */
export function parseService(
  text: string,
  protocol: Protocol | undefined,
  services: ServiceNames,
  resolveHost: (name: string) => string | undefined,
): { family: 4 | 6; address: string; port?: number } | undefined {
  if (allDigits(text)) return undefined;
  let host = text;
  let portText: string | undefined;
  let bracketed = false;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1 || text[close + 1] !== ':') return undefined;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    bracketed = true;
  }
  let result: { family: 4 | 6; address: string };
  if (isIP(host) === 6) {
    result = { family: 6, address: host };
  } else {
    // ipvsadm looks for the port again in what is left: "[1.2.3.4]:80" loses its port this way.
    if (bracketed) portText = undefined;
    const colon = host.lastIndexOf(':');
    if (colon !== -1) {
      portText = host.slice(colon + 1);
      host = host.slice(0, colon);
    }
    const v4 = inetAton(host) ?? resolveHost(host);
    if (v4 === undefined) return undefined;
    result = { family: 4, address: v4 };
  }
  if (portText === undefined) return result;
  const port = numberInRange(portText, 0, 65535) ?? services.portOf(portText, protocol);
  return port === undefined ? undefined : { ...result, port };
}

function parseSchedFlags(scheduler: string, text: string): SchedulerFlag[] {
  const flags: SchedulerFlag[] = [];
  for (const flag of text.split(',').filter((f) => f !== '')) {
    if (flag === 'flag-1' || flag === 'flag-2' || flag === 'flag-3') {
      flags.push(flag);
      continue;
    }
    const family = flag.slice(0, 2);
    if (
      flag === 'sh-fallback' ||
      flag === 'sh-port' ||
      flag === 'mh-fallback' ||
      flag === 'mh-port'
    ) {
      if (scheduler !== family) fail(`incompatible scheduler flag \`${flag}'`);
      flags.push(flag);
      continue;
    }
    fail(`invalid scheduler flag \`${flag}'`);
  }
  return flags;
}

function checkLegal(cmd: CmdName, given: ReadonlySet<OptName>): void {
  const row = LEGAL[cmd];
  let exclusive: OptName | undefined;
  OPT_NAMES.forEach((name, j) => {
    const rule = row[j];
    if (!given.has(name)) {
      if (rule === '+') fail(`You need to supply the '${name}' option for the '${cmd}' command`);
      return;
    }
    if (rule === 'x') fail(`Illegal '${name}' option with the '${cmd}' command`);
    if (rule === '1') {
      if (exclusive === undefined) exclusive = name;
      else
        fail(
          `The option '${name}' conflicts with the '${exclusive}' option in the '${cmd}' command`,
        );
    }
  });
}

function checkTunnel(type: TunnelType, given: ReadonlySet<OptName>): void {
  const row = TUN_LEGAL[type];
  let exclusive: OptName | undefined;
  TUN_OPTS.forEach((name, j) => {
    const rule = row[j];
    if (!given.has(name)) {
      if (rule === '+')
        fail(`You need to supply the '${name}' option for the '${type}' tunnel type`);
      return;
    }
    if (rule === 'x') fail(`Illegal '${name}' option with the '${type}' tunnel type`);
    if (rule === '1') {
      if (exclusive === undefined) exclusive = name;
      else
        fail(
          `The option '${name}' conflicts with the '${exclusive}' option in the '${type}' tunnel type`,
        );
    }
  });
}

function serviceKeyOf(ce: Entry): ServiceKey {
  if (ce.svc.fwmark !== 0)
    return { fwmark: ce.svc.fwmark, family: ce.svc.family === 6 ? 'ipv6' : 'ipv4' };
  return {
    protocol: ce.svc.protocol ?? 'tcp',
    address: ce.svc.address ?? '0.0.0.0',
    port: ce.svc.port,
  };
}

function finish(
  cmd: CmdName,
  ce: Entry,
  given: ReadonlySet<OptName>,
  format: ListFormat,
  timeouts: { tcp: number; tcpFin: number; udp: number },
  schedulerFlags: SchedulerFlag[],
): Command {
  switch (cmd) {
    case 'add-service':
    case 'edit-service': {
      if (ce.svc.fwmark === 0 && ce.svc.port === 0 && !ce.svc.persistent)
        fail('Zero port specified for non-persistent service');
      if (ce.svc.onePacket && ce.svc.fwmark === 0 && ce.svc.protocol !== 'udp')
        fail('One-Packet Scheduling is only for UDP virtual services');
      const service: ServiceSpec = { ...serviceKeyOf(ce), scheduler: ce.svc.scheduler || 'wlc' };
      if (ce.svc.persistent) {
        service.persistence = ce.svc.timeout;
        service.netmask = ce.svc.netmask;
      }
      if (ce.svc.pe !== '') service.persistenceEngine = ce.svc.pe;
      if (ce.svc.onePacket) service.onePacket = true;
      if (schedulerFlags.length > 0) service.schedulerFlags = schedulerFlags;
      return { kind: cmd, service };
    }
    case 'add-server':
    case 'edit-server': {
      if (ce.svc.fwmark === 0 && ce.dest.forward !== 'masq') ce.dest.port = ce.svc.port;
      if (ce.dest.family !== ce.svc.family && ce.dest.forward !== 'tunnel')
        fail('Different address family is allowed only for tunneling servers');
      const tunnelOption = ['tun-type', 'tun-port', 'tun-nocsum', 'tun-csum', 'tun-remcsum'].some(
        (n) => given.has(n as OptName),
      );
      if (tunnelOption && ce.dest.forward !== 'tunnel')
        fail('Tunnel options conflict with forward method');
      checkTunnel(ce.dest.tunType, given);
      const destination: DestinationSpec = {
        address: ce.dest.address ?? '0.0.0.0',
        port: ce.dest.port,
        forward: ce.dest.forward,
        weight: ce.dest.weight,
        upperThreshold: ce.dest.upper,
        lowerThreshold: ce.dest.lower,
      };
      if (ce.dest.forward === 'tunnel') {
        destination.tunnel = { type: ce.dest.tunType, checksum: ce.dest.checksum };
        if (ce.dest.tunType === 'gue') destination.tunnel.port = ce.dest.tunPort;
      }
      return { kind: cmd, service: serviceKeyOf(ce), destination };
    }
    case 'delete-server':
      return {
        kind: cmd,
        service: serviceKeyOf(ce),
        destination: { address: ce.dest.address ?? '0.0.0.0', port: ce.dest.port },
      };
    case 'delete-service':
      return { kind: cmd, service: serviceKeyOf(ce) };
    case 'zero':
      return given.has('service-address')
        ? { kind: cmd, service: serviceKeyOf(ce) }
        : { kind: cmd };
    case 'list': {
      const conflict =
        ((given.has('connection') || given.has('timeout') || given.has('daemon')) &&
          (format.stats || format.rate || format.thresholds)) ||
        ((given.has('timeout') || given.has('daemon')) && format.persistentConn);
      if (conflict) fail('options conflicts in the list command');
      if (given.has('connection')) return { kind: 'list', format, what: 'connections' };
      if (given.has('service-address'))
        return { kind: 'list-service', format, service: serviceKeyOf(ce) };
      if (given.has('timeout')) return { kind: 'list', format, what: 'timeout' };
      if (given.has('daemon')) return { kind: 'list', format, what: 'daemon' };
      return { kind: 'list', format, what: 'all' };
    }
    case 'save':
      return { kind: 'save', format };
    case 'restore':
      return { kind: 'restore' };
    case 'flush':
      return { kind: 'flush' };
    case 'set':
      return { kind: 'set', timeouts };
    case 'start-daemon': {
      const daemon: DaemonSpec = {
        state: ce.daemon.state ?? 'master',
        interface: ce.daemon.ifname || 'eth0',
        syncId: ce.daemon.syncId,
      };
      if (ce.daemon.maxLength !== undefined) daemon.maxLength = ce.daemon.maxLength;
      if (ce.daemon.group !== undefined) daemon.group = ce.daemon.group;
      if (ce.daemon.port !== undefined) daemon.port = ce.daemon.port;
      if (ce.daemon.ttl !== undefined) daemon.ttl = ce.daemon.ttl;
      return { kind: 'start-daemon', daemon };
    }
    case 'stop-daemon':
      return { kind: 'stop-daemon', state: ce.daemon.state ?? 'master' };
  }
}

export function usage(program: string): string {
  const p = program;
  return `${VERSION_LINE}Usage:
  ${p} -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe persistence_engine] [-b sched-flags]
  ${p} -D virtual-service
  ${p} -C
  ${p} -R
  ${p} -S [-n]
  ${p} -a|e virtual-service -r server-address [options]
  ${p} -d virtual-service -r server-address
  ${p} -L|l [virtual-service] [options]
  ${p} -Z [virtual-service]
  ${p} --set tcp tcpfin udp
  ${p} --start-daemon {master|backup} [daemon-options]
  ${p} --stop-daemon {master|backup}
  ${p} -h

Commands:
Either long or short options are allowed.
  --add-service     -A        add virtual service with options
  --edit-service    -E        edit virtual service with options
  --delete-service  -D        delete virtual service
  --clear           -C        clear the whole table
  --restore         -R        restore rules from stdin
  --save            -S        save rules to stdout
  --add-server      -a        add real server with options
  --edit-server     -e        edit real server with options
  --delete-server   -d        delete real server
  --list            -L|-l     list the table
  --zero            -Z        zero counters in a service or all services
  --set tcp tcpfin udp        set connection timeout values
  --start-daemon              start connection sync daemon
  --stop-daemon               stop connection sync daemon
  --help            -h        display this help message

virtual-service:
  --tcp-service|-t  service-address   service-address is host[:port]
  --udp-service|-u  service-address   service-address is host[:port]
  --sctp-service    service-address   service-address is host[:port]
  --fwmark-service|-f fwmark          fwmark is an integer greater than zero

Options:
  --ipv6         -6                   fwmark entry uses IPv6
  --scheduler    -s scheduler         one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh,
                                      the default scheduler is wlc.
  --pe            engine              alternate persistence engine may be sip,
                                      not set by default.
  --persistent   -p [timeout]         persistent service
  --netmask      -M netmask           persistent granularity mask
  --real-server  -r server-address    server-address is host (and port)
  --gatewaying   -g                   gatewaying (direct routing) (default)
  --ipip         -i                   ipip encapsulation (tunneling)
  --masquerading -m                   masquerading (NAT)
  --tun-type      type                one of ipip|gue|gre,
                                      the default tunnel type is ipip.
  --tun-port      port                tunnel destination port
  --tun-nocsum                        tunnel encapsulation without checksum
  --tun-csum                          tunnel encapsulation with checksum
  --tun-remcsum                       tunnel encapsulation with remote checksum
  --weight       -w weight            capacity of real server
  --u-threshold  -x uthreshold        upper threshold of connections
  --l-threshold  -y lthreshold        lower threshold of connections
  --connection   -c                   output of current IPVS connections
  --timeout                           output of timeout (tcp tcpfin udp)
  --daemon                            output of daemon information
  --stats                             output of statistics information
  --rate                              output of rate information
  --exact                             expand numbers (display exact values)
  --thresholds                        output of thresholds information
  --persistent-conn                   output of persistent connection info
  --tun-info                          output of tunnel information
  --nosort                            disable sorting output of service/server entries
  --sort                              does nothing, for backwards compatibility
  --ops          -o                   one-packet scheduling
  --numeric      -n                   numeric output of addresses and ports
  --sched-flags  -b flags             scheduler flags (comma-separated)
Daemon Options:
  --syncid sid                        syncid for connection sync (default=255)
  --sync-maxlen length                Max sync message length (default=1472)
  --mcast-interface interface         multicast interface for connection sync
  --mcast-group address               IPv4/IPv6 group (default=224.0.0.81)
  --mcast-port port                   UDP port (default=8848)
  --mcast-ttl ttl                     Multicast TTL (default=1)
`;
}
