// The service table as ipvsadm prints it: -L (plain, --stats, --rate, --thresholds,
// --persistent-conn, --tun-info, --exact, --nosort), -L for one service, and -S (rules).
import type { Destination, Info, Service } from '../../model/types.js';
import { DEFAULT_LIST_FORMAT, type ListFormat } from '../command.js';
import { ServiceNames } from '../names.js';
import { Namer } from './naming.js';
import { largeNumber, left, right, signed32 } from './numbers.js';
import { compareDestinations, compareServices, glibcSort } from './sort.js';

export interface TableFormat extends ListFormat {
  /** -S: the rules that recreate the table. */
  rule: boolean;
  /** With rule: keep what ipvsadm's save drops (thresholds), as options ipvsadm accepts. */
  extended: boolean;
}

const PROTOCOL_NAMES = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' } as const;
const PROTOCOL_SWITCHES = { tcp: '-t', udp: '-u', sctp: '--sctp-service' } as const;
const FORWARD_NAMES = { masq: 'Masq', route: 'Route', tunnel: 'Tunnel' } as const;
const FORWARD_SWITCHES = { masq: '-m', route: '-g', tunnel: '-i' } as const;
const CHECKSUM_INDEX = { none: 0, csum: 1, remcsum: 2 } as const;
const TUN_FLAGS = ['-c', '+c', 'r+c'] as const;
const TUN_FLAG_OPTIONS = ['--tun-nocsum', '--tun-csum', '--tun-remcsum'] as const;

export function title(format: TableFormat): string {
  const prot = left('Prot LocalAddress:Port', 33);
  const remote = '  -> RemoteAddress:Port\n';
  if (format.stats)
    return `${prot} ${['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map((h) => right(h, 8)).join(' ')}\n${remote}`;
  if (format.rate)
    return `${prot} ${['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS'].map((h) => right(h, 8)).join(' ')}\n${remote}`;
  if (format.thresholds)
    return `${prot} ${['Uthreshold', 'Lthreshold', 'ActiveConn', 'InActConn'].map((h) => left(h, 10)).join(' ')}\n${remote}`;
  if (format.persistentConn)
    return `${prot} ${left('Weight', 9)} ${left('PersistConn', 11)} ${left('ActiveConn', 10)} ${left('InActConn', 10)}\n${remote}`;
  if (format.tunInfo)
    return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n';
  if (!format.rule)
    return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
  return '';
}

export function versionLine(info: Info): string {
  return `IP Virtual Server version ${info.version} (size=${info.connectionTableSize})\n`;
}

/** print_sched_flags: sh and mh name their two flags; other schedulers print flag-N. */
function schedFlags(service: Service): string {
  const bits = new Set<number>();
  for (const flag of service.schedulerFlags)
    bits.add(
      flag.endsWith('fallback') || flag === 'flag-1'
        ? 1
        : flag.endsWith('port') || flag === 'flag-2'
          ? 2
          : 3,
    );
  const names: string[] = [];
  if (service.scheduler === 'sh' || service.scheduler === 'mh') {
    if (bits.has(1)) names.push(`${service.scheduler}-fallback`);
    if (bits.has(2)) names.push(`${service.scheduler}-port`);
  } else {
    for (const n of [1, 2, 3]) if (bits.has(n)) names.push(`flag-${n}`);
  }
  return names.join(',');
}

function serviceName(service: Service, format: TableFormat, namer: Namer): string {
  if (service.fwmark !== undefined) {
    const mark = signed32(service.fwmark);
    if (format.rule) return service.family === 'ipv6' ? `-f ${mark} -6` : `-f ${mark}`;
    return service.family === 'ipv6' ? `FWM  ${mark} IPv6` : `FWM  ${mark}`;
  }
  const vname = namer.addrPort(service.family, service.address, service.port, service.protocol);
  if (format.rule) return `${PROTOCOL_SWITCHES[service.protocol]} ${vname}`;
  const name = `${left(PROTOCOL_NAMES[service.protocol], 4)} ${vname}`;
  return service.family === 'ipv6' ? name : name.slice(0, 33);
}

function persistenceText(service: Service, words: { persistent: string; mask: string }): string {
  let text = ` ${words.persistent} ${service.persistence}`;
  if (service.family === 'ipv4' && service.netmask !== '255.255.255.255')
    text += ` ${words.mask} ${service.netmask}`;
  if (service.family === 'ipv6' && service.netmask !== 128)
    text += ` ${words.mask} ${service.netmask}`;
  return text;
}

function serviceLine(service: Service, svcName: string, format: TableFormat): string {
  const persistent = service.flags.includes('persistent');
  const anySchedFlag = service.schedulerFlags.length > 0;
  const stats = service.stats;
  if (format.rule) {
    let line = `-A ${svcName} -s ${service.scheduler}`;
    if (persistent) line += persistenceText(service, { persistent: '-p', mask: '-M' });
    if (service.persistenceEngine) line += ` --pe ${service.persistenceEngine}`;
    if (service.onePacket) line += ' -o';
    if (anySchedFlag) line += ` -b ${schedFlags(service)}`;
    return line;
  }
  if (format.stats) {
    return (
      left(svcName, 33) +
      [stats.conns, stats.inPkts, stats.outPkts, stats.inBytes, stats.outBytes]
        .map((n) => largeNumber(n, format.exact))
        .join('')
    );
  }
  if (format.rate) {
    return (
      left(svcName, 33) +
      [stats.cps, stats.inPps, stats.outPps, stats.inBps, stats.outBps]
        .map((n) => largeNumber(n, format.exact))
        .join('')
    );
  }
  let line = `${svcName} ${service.scheduler}`;
  if (anySchedFlag) line += ` (${schedFlags(service)})`;
  if (persistent) {
    line += persistenceText(service, { persistent: 'persistent', mask: 'mask' });
    if (service.persistenceEngine) line += ` pe ${service.persistenceEngine}`;
  }
  if (service.onePacket) line += ' ops';
  return line;
}

function tunnelInfo(dest: Destination): string {
  if (dest.forward !== 'tunnel' || !dest.tunnel) return 'n/a';
  const flags = TUN_FLAGS[CHECKSUM_INDEX[dest.tunnel.checksum]];
  if (dest.tunnel.type === 'gue') return `gue:${dest.tunnel.port}:${flags}`;
  if (dest.tunnel.type === 'gre') return `gre:${flags}`;
  return 'ipip';
}

function ruleLine(svcName: string, dname: string, dest: Destination, format: TableFormat): string {
  let line = `-a ${svcName} -r ${dname} ${FORWARD_SWITCHES[dest.forward]} -w ${dest.weight}`;
  if (dest.forward === 'tunnel' && dest.tunnel) {
    const { type, port, checksum } = dest.tunnel;
    line += ` --tun-type ${type}`;
    if (type === 'gue') line += ` --tun-port ${port}`;
    if (type !== 'ipip') line += ` ${TUN_FLAG_OPTIONS[CHECKSUM_INDEX[checksum]]}`;
  }
  if (format.extended) {
    if (dest.upperThreshold !== 0) line += ` -x ${dest.upperThreshold}`;
    if (dest.lowerThreshold !== 0) line += ` -y ${dest.lowerThreshold}`;
  }
  return line;
}

function destinationLine(
  service: Service,
  svcName: string,
  dest: Destination,
  format: TableFormat,
  namer: Namer,
): string {
  let dname = namer.addrPort(dest.family, dest.address, dest.port, service.protocol);
  if (format.rule) return ruleLine(svcName, dname, dest, format);
  if (dest.family !== 'ipv6') dname = dname.slice(0, 28);
  const arrow = `  -> ${left(dname, 28)}`;
  const s = dest.stats;
  if (format.stats)
    return (
      arrow +
      [s.conns, s.inPkts, s.outPkts, s.inBytes, s.outBytes]
        .map((n) => largeNumber(n, format.exact))
        .join('')
    );
  if (format.rate) {
    return (
      `${arrow} ${right(s.cps.toString(), 8)} ${right(s.inPps.toString(), 8)} ${right(s.outPps.toString(), 8)}` +
      largeNumber(s.inBps, format.exact) +
      largeNumber(s.outBps, format.exact)
    );
  }
  if (format.thresholds) {
    return `${arrow} ${[dest.upperThreshold, dest.lowerThreshold, dest.activeConnections, dest.inactiveConnections].map((n) => left(n, 10)).join(' ')}`;
  }
  if (format.persistentConn) {
    return `${arrow} ${left(dest.weight, 9)} ${left(dest.persistentConnections, 11)} ${left(dest.activeConnections, 10)} ${left(dest.inactiveConnections, 10)}`;
  }
  if (format.tunInfo) {
    return `${arrow} ${left(FORWARD_NAMES[dest.forward], 7)} ${left(tunnelInfo(dest), 13)} ${left(dest.weight, 6)} ${left(dest.activeConnections, 10)} ${left(dest.inactiveConnections, 10)}`;
  }
  return `${arrow} ${left(FORWARD_NAMES[dest.forward], 7)} ${left(dest.weight, 6)} ${left(dest.activeConnections, 10)} ${left(dest.inactiveConnections, 10)}`;
}

/** print_service_entry: the service line and its destinations (sorted unless --nosort). */
export function serviceEntry(service: Service, format: TableFormat, namer: Namer): string {
  const svcName = serviceName(service, format, namer);
  const lines = [serviceLine(service, svcName, format)];
  const dests = service.destinations ?? [];
  const ordered = format.noSort ? dests : glibcSort(dests, compareDestinations);
  for (const dest of ordered) lines.push(destinationLine(service, svcName, dest, format, namer));
  return `${lines.join('\n')}\n`;
}

/** list_all: the version line (not for -S), the title, every service. */
export function serviceTable(
  services: readonly Service[],
  info: Info,
  format: TableFormat,
  namer: Namer,
): string {
  const ordered = format.noSort ? services : glibcSort(services, compareServices);
  const head = format.rule ? '' : versionLine(info);
  return head + title(format) + ordered.map((s) => serviceEntry(s, format, namer)).join('');
}

/**
 * `ipvsadm -Ln` and its numeric variants (`--stats`, `--rate`, ... with `-n`) for a table already
 * read: no name lookups. For tools and examples that print the table as operators know it.
 */
export function numericListing(
  services: readonly Service[],
  info: Info,
  options: Partial<ListFormat> = {},
): string {
  const format: TableFormat = {
    ...DEFAULT_LIST_FORMAT,
    numeric: true,
    ...options,
    rule: false,
    extended: false,
  };
  return serviceTable(
    services,
    info,
    format,
    new Namer(true, new Map(), ServiceNames.fromText('')),
  );
}
