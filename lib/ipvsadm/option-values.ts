// What each ipvsadm option does to the command entry: its value read and checked as ipvsadm reads
// it (same ranges, same truncations, same messages), one function per part of the entry.
import { isIP } from 'node:net';
import type { SchedulerFlag } from '../model/types.js';
import { inetAton, numberInRange, wholeDecimal } from './c-numbers.js';
import { mark, type Entry } from './entry.js';
import { fail } from './exit.js';
import type { ServiceNames } from './names.js';
import { PROTOCOL_OF, TUN_NAMES } from './options.js';
import type { ScannedOption } from './popt.js';
import { parseService } from './service-address.js';

export interface Lookups {
  services: ServiceNames;
  /** gethostbyname for names that are not addresses. */
  resolveHost: (name: string) => string | undefined;
  /** Reading a rules file: also accept the negative fwmarks that -S prints. */
  restoring: boolean;
}

const MAX_TIMEOUT = 86400 * 31;
const PERSISTENT_TIMEOUT = 6 * 60;

/** Reads one option (not the command) into the entry; anything else is refused as ipvsadm does. */
export function readOption(option: ScannedOption, entry: Entry, lookups: Lookups): void {
  const value = option.value ?? '';
  const known =
    serviceOption(option, value, entry, lookups) ||
    serverOption(option, value, entry, lookups) ||
    daemonOption(option.tag, value, entry) ||
    listOption(option.tag, entry);
  // A second command (or -h, -v) lands here too, as in ipvsadm.
  if (!known) fail(`invalid option \`${option.word}'`);
}

/** The virtual service and its scheduling and persistence. */
function serviceOption(
  option: ScannedOption,
  value: string,
  entry: Entry,
  lookups: Lookups,
): boolean {
  const svc = entry.svc;
  switch (option.tag) {
    case 't':
    case 'u':
    case 'sctp-service': {
      mark(entry, 'service-address');
      svc.protocol = PROTOCOL_OF[option.tag] ?? 'tcp';
      const parsed = parseService(value, svc.protocol, lookups.services, lookups.resolveHost);
      if (!parsed) fail('illegal virtual server address[:port] specified');
      svc.family = parsed.family;
      svc.address = parsed.address;
      if (parsed.family === 6) svc.netmask = 128;
      if (parsed.port !== undefined) svc.port = parsed.port;
      return true;
    }
    case 'f': {
      mark(entry, 'service-address');
      svc.family = 4;
      svc.protocol = 'tcp';
      let fwmark = wholeDecimal(value);
      // -S prints fwmarks with %d (0xffffffff as -1); a rules file may carry them back.
      if (lookups.restoring && fwmark !== undefined && fwmark < 0 && fwmark >= -0x80000000)
        fwmark += 0x100000000;
      if (fwmark === undefined || fwmark <= 0 || fwmark > 0xffffffff)
        fail(`invalid fwmark value \`${value}' specified`);
      svc.fwmark = fwmark;
      return true;
    }
    case 's':
      mark(entry, 'scheduler');
      svc.scheduler = value.slice(0, 15);
      return true;
    case 'p':
      mark(entry, 'persistent');
      svc.persistent = true;
      svc.timeout = option.value === undefined ? PERSISTENT_TIMEOUT : timeoutValue(value, 1);
      return true;
    case 'M':
      mark(entry, 'netmask');
      if (svc.family !== 6) {
        const mask = inetAton(value) ?? lookups.resolveHost(value);
        if (mask === undefined) fail('illegal virtual server persistent mask specified');
        svc.netmask = mask;
      } else {
        const bits = Number.parseInt(value, 10);
        if (!(bits >= 1 && bits <= 128)) fail('illegal ipv6 netmask specified');
        svc.netmask = bits;
      }
      return true;
    case '6':
      if (svc.fwmark === 0) fail('-6 used before -f\n');
      svc.family = 6;
      svc.netmask = 128;
      return true;
    case 'o':
      mark(entry, 'ops');
      svc.onePacket = true;
      return true;
    case 'pe':
      mark(entry, 'pe');
      svc.pe = value.slice(0, 16);
      return true;
    case 'b':
      mark(entry, 'sched-flags');
      svc.schedFlags = value.slice(0, 127);
      return true;
    default:
      return false;
  }
}

/** The real server: its address, forwarding method, weight, thresholds and tunnel. */
function serverOption(
  option: ScannedOption,
  value: string,
  entry: Entry,
  lookups: Lookups,
): boolean {
  const dest = entry.dest;
  switch (option.tag) {
    case 'r': {
      mark(entry, 'real-server');
      const parsed = parseService(value, entry.svc.protocol, lookups.services, lookups.resolveHost);
      if (!parsed) fail('illegal real server address[:port] specified');
      dest.family = parsed.family;
      dest.address = parsed.address;
      dest.port = parsed.port ?? entry.svc.port;
      return true;
    }
    case 'i':
    case 'g':
    case 'm':
      mark(entry, 'forwarding-method');
      dest.forward = option.tag === 'i' ? 'tunnel' : option.tag === 'g' ? 'route' : 'masq';
      return true;
    case 'w':
      mark(entry, 'weight');
      // Debian's ipvsadm 1.31 (the reference) takes any int here, not the 0-65535 of the tarball.
      dest.weight = numberInRange(value, 0, 2147483647) ?? fail('illegal weight specified');
      return true;
    case 'x':
      mark(entry, 'u-threshold');
      dest.upper = numberInRange(value, 0, 2147483647) ?? fail('illegal u_threshold specified');
      return true;
    case 'y':
      mark(entry, 'l-threshold');
      dest.lower = numberInRange(value, 0, 2147483647) ?? fail('illegal l_threshold specified');
      return true;
    case 'tun-type': {
      mark(entry, 'tun-type');
      const type = TUN_NAMES.find((t) => t === value);
      if (!type) fail('illegal tunnel type specified');
      dest.tunType = type;
      return true;
    }
    case 'tun-port':
      mark(entry, 'tun-port');
      dest.tunPort = numberInRange(value, 1, 65535) ?? fail('illegal tunnel port specified');
      return true;
    case 'tun-nocsum':
    case 'tun-csum':
    case 'tun-remcsum':
      mark(entry, option.tag);
      // Two of these together are refused later (tunnel_opt_check), so the last one can win.
      if (option.tag !== 'tun-nocsum')
        dest.checksum = option.tag === 'tun-csum' ? 'csum' : 'remcsum';
      return true;
    default:
      return false;
  }
}

/** The connection sync daemon's options. */
function daemonOption(tag: string, value: string, entry: Entry): boolean {
  const daemon = entry.daemon;
  switch (tag) {
    case 'mcast-interface':
      mark(entry, 'mcast-interface');
      daemon.ifname = value.slice(0, 15);
      return true;
    case 'syncid':
      mark(entry, 'syncid');
      daemon.syncId = numberInRange(value, 0, 255) ?? fail('illegal syncid specified');
      return true;
    case 'mcast-group': {
      mark(entry, 'mcast-group');
      const v6 = value.includes(':');
      const ok = v6
        ? isIP(value) === 6 && /^ff/i.test(value)
        : isIP(value) === 4 && isIpv4Multicast(value);
      if (!ok) fail(`invalid ${v6 ? 'IPv6' : 'IPv4'} mcast-group \`${value}'`);
      daemon.group = value;
      return true;
    }
    case 'mcast-port':
      mark(entry, 'mcast-port');
      daemon.port = numberInRange(value, 1, 65535) ?? fail('illegal mcast-port specified');
      return true;
    case 'mcast-ttl':
      mark(entry, 'mcast-ttl');
      daemon.ttl = numberInRange(value, 1, 255) ?? fail('illegal mcast-ttl specified');
      return true;
    case 'sync-maxlen':
      mark(entry, 'sync-maxlen');
      daemon.maxLength =
        numberInRange(value, 1, 65535 - 20 - 8) ?? fail('illegal sync-maxlen specified');
      return true;
    default:
      return false;
  }
}

/** What -L lists and how. */
function listOption(tag: string, entry: Entry): boolean {
  const format = entry.format;
  switch (tag) {
    case 'c':
      mark(entry, 'connection');
      return true;
    case 'n':
      mark(entry, 'numeric');
      format.numeric = true;
      return true;
    case 'timeout':
      mark(entry, 'timeout');
      return true;
    case 'daemon':
      mark(entry, 'daemon');
      return true;
    case 'stats':
      mark(entry, 'stats');
      format.stats = true;
      return true;
    case 'rate':
      mark(entry, 'rate');
      format.rate = true;
      return true;
    case 'thresholds':
      mark(entry, 'thresholds');
      format.thresholds = true;
      return true;
    case 'persistent-conn':
      mark(entry, 'persistent-conn');
      format.persistentConn = true;
      return true;
    case 'nosort':
      mark(entry, 'nosort');
      format.noSort = true;
      return true;
    case 'sort':
      // Sorting is the default; ipvsadm keeps --sort as a no-op for old scripts.
      return true;
    case 'X':
      mark(entry, 'exact');
      format.exact = true;
      return true;
    case 'tun-info':
      mark(entry, 'tun-info');
      format.tunInfo = true;
      return true;
    default:
      return false;
  }
}

/** A timeout in seconds (-p, --set), at most 31 days as ipvsadm allows. */
export function timeoutValue(text: string, min: number): number {
  return (
    numberInRange(text, min, MAX_TIMEOUT) ?? fail(`invalid timeout value \`${text}' specified`)
  );
}

function isIpv4Multicast(address: string): boolean {
  const firstOctet = Number(address.split('.')[0]);
  return firstOctet >= 224 && firstOctet <= 239;
}

/** -b, read against the scheduler: sh-* only with sh, mh-* only with mh. */
export function schedulerFlags(scheduler: string, text: string): SchedulerFlag[] {
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
