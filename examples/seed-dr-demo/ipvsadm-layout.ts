// The IPVS table as `ipvsadm -Ln` and `ipvsadm -Ln --stats --exact` lay it out, for the demo's
// output. (The CLI's full ipvsadm formatter lives in lib/cli; this is the small subset the demo
// prints: address services, numeric, no persistence options.)
import type { Destination, Info, Service } from '../../lib/index.js';

const FORWARD = { masq: 'Masq', route: 'Route', tunnel: 'Tunnel' } as const;

function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function serviceName(s: Service): string {
  return s.fwmark !== undefined ? `FWM  ${s.fwmark}` : `${s.protocol.toUpperCase()}  ${endpoint(s.address, s.port)}`;
}

const dests = (s: Service): Destination[] => s.destinations ?? [];

/** `ipvsadm -Ln`. */
export function table(info: Info, services: readonly Service[]): string {
  const lines = [
    `IP Virtual Server version ${info.version} (size=${info.connectionTableSize})`,
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  ];
  for (const s of services) {
    lines.push(`${serviceName(s)} ${s.scheduler}${s.persistence > 0 ? ` persistent ${s.persistence}` : ''}`);
    for (const d of dests(s)) {
      lines.push(`  -> ${endpoint(d.address, d.port).padEnd(28)} ${FORWARD[d.forward].padEnd(7)} ${String(d.weight).padEnd(6)} ${String(d.activeConnections).padEnd(10)} ${d.inactiveConnections}`);
    }
  }
  return lines.join('\n');
}

/** `ipvsadm -Ln --stats --exact`. */
export function stats(services: readonly Service[]): string {
  const row = (name: string, v: Service['stats']) =>
    `${name.padEnd(33)} ${[v.conns, v.inPkts, v.outPkts, v.inBytes, v.outBytes].map((n) => String(n).padStart(8)).join(' ')}`;
  const lines = ['Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes', '  -> RemoteAddress:Port'];
  for (const s of services) {
    lines.push(row(serviceName(s), s.stats));
    for (const d of dests(s)) lines.push(row(`  -> ${endpoint(d.address, d.port)}`, d.stats));
  }
  return lines.join('\n');
}

/** `ipvsadm -Ln --rate --exact`. */
export function rates(services: readonly Service[]): string {
  const row = (name: string, v: Service['stats']) =>
    `${name.padEnd(33)} ${[v.cps, v.inPps, v.outPps, v.inBps, v.outBps].map((n) => String(n).padStart(8)).join(' ')}`;
  const lines = ['Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS', '  -> RemoteAddress:Port'];
  for (const s of services) {
    lines.push(row(serviceName(s), s.stats));
    for (const d of dests(s)) lines.push(row(`  -> ${endpoint(d.address, d.port)}`, d.stats));
  }
  return lines.join('\n');
}
