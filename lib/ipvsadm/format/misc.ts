// The small listings: --timeout, --daemon, and -c (the connection table).
import type { Connection, Daemon, Protocol, Timeouts } from '../../model/types.js';
import type { Namer } from './naming.js';
import { left } from './numbers.js';

export function timeoutLine(t: Timeouts): string {
  return `Timeout (tcp tcpfin udp): ${t.tcp} ${t.tcpFin} ${t.udp}\n`;
}

/** list_daemon: master first, then backup, as the kernel reports them. */
export function daemonLines(daemons: readonly Daemon[]): string {
  return daemons
    .map((d) => {
      let line = `${d.state} sync daemon (mcast=${d.interface}, syncid=${d.syncId}`;
      if (d.maxLength) line += `, maxlen=${d.maxLength}`;
      if (d.group !== undefined) line += `, group=${d.group}`;
      if (d.port) line += `, port=${d.port}`;
      if (d.ttl) line += `, ttl=${d.ttl}`;
      return `${line})\n`;
    })
    .join('');
}

function protocolOf(name: string): Protocol | undefined {
  return name === 'tcp' || name === 'udp' || name === 'sctp' ? name : undefined;
}

const familyOf = (address: string): 'ipv4' | 'ipv6' => (address.includes(':') ? 'ipv6' : 'ipv4');

/** list_conn: the header, then one line per entry; pe columns with --persistent-conn. */
export function connectionLines(
  connections: readonly Connection[],
  persistentConn: boolean,
  namer: Namer,
): string {
  let out = 'IPVS connection entries\n';
  out += persistentConn
    ? `pro expire ${left('state', 11)} ${left('source', 18)} ${left('virtual', 18)} ${left('destination', 18)} ${left('pe name', 16)} pe_data\n`
    : `pro expire ${left('state', 11)} ${left('source', 18)} ${left('virtual', 18)} destination\n`;
  for (const c of connections) {
    const protocol = protocolOf(c.protocol);
    const name = (e: { address: string; port: number }): string =>
      namer.addrPort(familyOf(e.address), e.address, e.port, protocol);
    const expires = `${String(Math.floor(c.expires / 60)).padStart(2, '0')}:${String(c.expires % 60).padStart(2, '0')}`;
    const head = `${left(c.protocol.toUpperCase(), 3)} ${left(expires, 6)} ${left(c.state, 11)} ${left(name(c.client), 18)} ${left(name(c.virtual), 18)}`;
    out +=
      persistentConn && c.persistenceData !== undefined
        ? `${head} ${left(name(c.destination), 16)} ${left(c.persistenceEngine ?? '', 18)} ${c.persistenceData}\n`
        : `${head} ${name(c.destination)}\n`;
  }
  return out;
}
