// The listen address of the observe listener: "HOST:PORT", "[IPv6]:PORT" or ":PORT". Without a
// host it binds to 127.0.0.1 only: the metrics and the status page are read-only but describe
// the load balancer, and exposing them is a decision (say 0.0.0.0:PORT or [::]:PORT).
import { isIP } from 'node:net';

export interface ListenAddress {
  host: string;
  port: number;
}

export const DEFAULT_HOST = '127.0.0.1';

/** Parses ADDR; errors name `option` ("--listen") and say what was expected. */
export function parseListenAddress(text: string, option: string): ListenAddress {
  const expected = `${option}: expected HOST:PORT, [IPv6]:PORT or :PORT, got "${text}"`;
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(text);
  let host: string;
  let port: string;
  if (bracketed) {
    host = bracketed[1] ?? '';
    port = bracketed[2] ?? '';
    if (isIP(host) !== 6) throw new Error(`${option}: "${host}" is not an IPv6 address`);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) throw new Error(expected);
    host = text.slice(0, colon);
    port = text.slice(colon + 1);
    if (host.includes(':'))
      throw new Error(`${option}: write an IPv6 address in brackets: [${host}]:${port}`);
    if (host === '') host = DEFAULT_HOST;
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    throw new Error(`${option}: the port must be a number from 0 to 65535, got "${port}"`);
  }
  return { host, port: Number(port) };
}

export const listenText = ({ host, port }: ListenAddress): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
