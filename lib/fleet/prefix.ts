// IP prefixes as FRR's `network` statement takes them ("10.0.0.1/32", "2001:db8::/64"): parsed,
// checked (no host bits set, or FRR would quietly announce another network), and matched
// against service addresses. Addresses are compared as numbers, which also gives the canonical
// order of real servers that the consistent-hashing preset uses.
import { addressBytes, familyOf, type IpFamily } from '../vrrp/address.js';
import { canonicalAddress } from '../model/identity.js';

export interface Prefix {
  /** The canonical text: "10.0.0.1/32", "2001:db8::/64". */
  text: string;
  family: IpFamily;
  length: number;
  /** The network address as a number (host bits zero). */
  network: bigint;
}

/** An address's value as a number (its network-order bytes, big-endian). */
export function addressValue(address: string, family: IpFamily): bigint {
  let value = 0n;
  for (const byte of addressBytes(address, family)) value = (value << 8n) | BigInt(byte);
  return value;
}

function bits(family: IpFamily): number {
  return family === 'ipv4' ? 32 : 128;
}

function mask(family: IpFamily, length: number): bigint {
  const width = BigInt(bits(family));
  return ((1n << width) - 1n) ^ ((1n << (width - BigInt(length))) - 1n);
}

/**
 * Parses "ADDRESS/LENGTH" or a bare address (a host route: /32, /128). Returns a message saying
 * what is wrong instead when the text is no prefix.
 */
export function parsePrefix(value: unknown): Prefix | string {
  const [text = '', length, ...rest] = typeof value === 'string' ? value.split('/') : [];
  const address = canonicalAddress(text);
  const family = familyOf(address);
  if (family === undefined || rest.length > 0)
    return 'must be a prefix such as 10.0.0.1/32 or 2001:db8::1/128';
  const size = length === undefined ? bits(family) : /^\d{1,3}$/.test(length) ? Number(length) : -1;
  if (size < 0 || size > bits(family))
    return `must have a prefix length 0-${bits(family)} for an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address`;
  const value_ = addressValue(address, family);
  const network = value_ & mask(family, size);
  if (network !== value_)
    return `has host bits set (the network of ${address}/${size} is ${formatNetwork(network, family)}/${size}); write the network or a longer prefix`;
  return { text: `${address}/${size}`, family, length: size, network };
}

function formatNetwork(network: bigint, family: IpFamily): string {
  if (family === 'ipv4')
    return [24n, 16n, 8n, 0n].map((shift) => String((network >> shift) & 255n)).join('.');
  const words: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n)
    words.push(((network >> shift) & 0xffffn).toString(16));
  return canonicalAddress(words.join(':'));
}

/** Whether `address` (any spelling) lies inside `prefix`. */
export function prefixContains(prefix: Prefix, address: string): boolean {
  const bare = canonicalAddress(address);
  if (familyOf(bare) !== prefix.family) return false;
  return (
    (addressValue(bare, prefix.family) & mask(prefix.family, prefix.length)) === prefix.network
  );
}

/** A total order of addresses: IPv4 before IPv6, then by value. */
export function compareAddresses(a: string, b: string): number {
  const fa = familyOf(canonicalAddress(a));
  const fb = familyOf(canonicalAddress(b));
  if (fa === undefined || fb === undefined) return a < b ? -1 : a > b ? 1 : 0;
  if (fa !== fb) return fa === 'ipv4' ? -1 : 1;
  const va = addressValue(a, fa);
  const vb = addressValue(b, fb);
  return va < vb ? -1 : va > vb ? 1 : 0;
}
