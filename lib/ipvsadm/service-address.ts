// ipvsadm's parse_service: how -t/-u/--sctp-service and -r read an address and an optional port.
import { isIP } from 'node:net';
import type { Protocol } from '../model/types.js';
import { allDigits, inetAton, numberInRange } from './c-numbers.js';
import type { ServiceNames } from './names.js';

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
