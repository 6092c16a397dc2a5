// An operation in ipvsadm's own words ("-a -t 1.2.3.4:80 -r 10.0.0.1:80 -m -w 2"): one line of a
// rules file, which parseArgs (and so ipvsadm -R) reads back as the same operation. apply
// --dry-run prints its plan this way.
import type { Operation } from '../core/operation.js';
import { endpointText } from '../model/identity.js';
import type {
  DaemonSpec,
  DestinationSpec,
  ForwardMethodInput,
  ServiceKey,
  ServiceSpec,
  Timeouts,
} from '../model/types.js';

const PROTOCOL_FLAG = { tcp: '-t', udp: '-u', sctp: '--sctp-service' } as const;

const FORWARD_FLAG: Readonly<Record<ForwardMethodInput, string>> = {
  masq: '-m',
  nat: '-m',
  '-m': '-m',
  tunnel: '-i',
  tun: '-i',
  ipip: '-i',
  '-i': '-i',
  route: '-g',
  dr: '-g',
  gate: '-g',
  '-g': '-g',
};

export function renderOperation(operation: Operation): string {
  switch (operation.op) {
    case 'addService':
      return `-A ${serviceOptions(operation.service)}`;
    case 'editService':
      return `-E ${serviceOptions(operation.service)}`;
    case 'deleteService':
      return `-D ${serviceText(operation.service)}`;
    case 'addDestination':
      return `-a ${serviceText(operation.service)} ${serverOptions(operation.destination)}`;
    case 'editDestination':
      return `-e ${serviceText(operation.service)} ${serverOptions(operation.destination)}`;
    case 'deleteDestination': {
      const { address, port } = operation.destination;
      return `-d ${serviceText(operation.service)} -r ${endpoint(address, port ?? 0)}`;
    }
    case 'zero':
      return operation.service === undefined ? '-Z' : `-Z ${serviceText(operation.service)}`;
    case 'flush':
      return '-C';
    case 'setTimeouts':
      return `--set ${timeoutsText(operation.timeouts)}`;
    case 'startDaemon':
      return `--start-daemon ${daemonOptions(operation.daemon)}`;
    case 'stopDaemon':
      return `--stop-daemon ${operation.state}`;
  }
}

/** -t/-u/--sctp-service ADDRESS:PORT, or -f MARK [-6] (-6 after -f, as ipvsadm requires). */
function serviceText(key: ServiceKey): string {
  if ('fwmark' in key) return `-f ${key.fwmark}${key.family === 'ipv6' ? ' -6' : ''}`;
  return `${PROTOCOL_FLAG[key.protocol]} ${endpoint(key.address, key.port)}`;
}

/** ADDRESS:PORT with IPv6 in brackets; without a port, the bare address (ipvsadm's form). */
function endpoint(address: string, port: number | undefined): string {
  return port === undefined ? address : endpointText(address, port);
}

function serviceOptions(s: ServiceSpec): string {
  let text = `${serviceText(s)} -s ${s.scheduler ?? 'wlc'}`;
  if (s.persistence) text += ` -p ${s.persistence === true ? 360 : s.persistence}`;
  if (s.persistence && s.netmask !== undefined) text += ` -M ${s.netmask}`;
  if (s.persistenceEngine) text += ` --pe ${s.persistenceEngine}`;
  if (s.onePacket) text += ' -o';
  if (s.schedulerFlags?.length) text += ` -b ${s.schedulerFlags.join(',')}`;
  return text;
}

function serverOptions(d: DestinationSpec): string {
  let text = `-r ${endpoint(d.address, d.port)}`;
  text += ` ${FORWARD_FLAG[d.forward ?? 'route']} -w ${d.weight ?? 1}`;
  if (d.tunnel) {
    text += ` --tun-type ${d.tunnel.type}`;
    if (d.tunnel.port) text += ` --tun-port ${d.tunnel.port}`;
    if (d.tunnel.checksum && d.tunnel.checksum !== 'none') text += ` --tun-${d.tunnel.checksum}`;
  }
  if (d.upperThreshold) text += ` -x ${d.upperThreshold}`;
  if (d.lowerThreshold) text += ` -y ${d.lowerThreshold}`;
  return text;
}

/** --set takes all three; 0 leaves a value as it is, as an absent one does here. */
function timeoutsText(t: Partial<Timeouts>): string {
  return `${t.tcp ?? 0} ${t.tcpFin ?? 0} ${t.udp ?? 0}`;
}

function daemonOptions(d: DaemonSpec): string {
  let text = `${d.state} --mcast-interface ${d.interface}`;
  if (d.syncId !== undefined) text += ` --syncid ${d.syncId}`;
  if (d.maxLength !== undefined) text += ` --sync-maxlen ${d.maxLength}`;
  if (d.group !== undefined) text += ` --mcast-group ${d.group}`;
  if (d.port !== undefined) text += ` --mcast-port ${d.port}`;
  if (d.ttl !== undefined) text += ` --mcast-ttl ${d.ttl}`;
  return text;
}
