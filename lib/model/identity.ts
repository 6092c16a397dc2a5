// One identity for services and endpoints, and one way to write an endpoint. Every part of the
// library that keys a map by a service or a real server, or names one in a message, goes through
// here, so that the config's spelling of an address and the kernel's report of it meet.
import { isIP } from 'node:net';
import type { AddressFamily, Protocol } from './types.js';

/**
 * An address in one form whatever its spelling: IPv4 as given; IPv6 lower case, without leading
 * zeros, the longest run of zero groups compressed (RFC 5952, as the kernel reports it; WHATWG's
 * URL serialiser writes exactly that, except an embedded IPv4 tail, which it writes in hex: the
 * same for both sides of a comparison). Brackets are removed. Text that is not an address is
 * returned as it is: validation reports it elsewhere.
 */
export function canonicalAddress(address: string): string {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (!bare.includes(':') || isIP(bare) !== 6) return bare;
  return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
}

/** "192.168.8.20:80" or "[2001:db8::20]:80": how an endpoint is written everywhere. */
export function endpointText(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * What names a service: a firewall mark (and its family), else protocol, address and port. Keys,
 * specs and the services the kernel reports all fit.
 */
export interface ServiceIdentityInput {
  fwmark?: number | undefined;
  family?: AddressFamily | undefined;
  protocol?: Protocol | undefined;
  address?: string | undefined;
  port?: number | undefined;
}

/**
 * A service's identity and its name in messages: "tcp 192.168.8.200:80", "fwmark 5",
 * "fwmark 5 (ipv6)". Equal for the config's spelling and the kernel's report of one service.
 */
export function serviceIdentity(key: ServiceIdentityInput): string {
  if (key.fwmark) return `fwmark ${key.fwmark}${key.family === 'ipv6' ? ' (ipv6)' : ''}`;
  const address = canonicalAddress(key.address ?? '');
  return `${key.protocol ?? 'tcp'} ${endpointText(address, key.port ?? 0)}`;
}

/** A real server's identity within its service: its canonical endpoint text. */
export function destinationIdentity(address: string, port: number): string {
  return endpointText(canonicalAddress(address), port);
}
