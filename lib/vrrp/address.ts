// IP addresses as the bytes a VRRP packet carries, and back to the text the rest of the library
// uses (model/identity.ts's canonical form), so that a received address and a configured one meet.
import { isIPv4, isIPv6 } from 'node:net';
import { canonicalAddress } from '../model/identity.js';

export type IpFamily = 'ipv4' | 'ipv6';

/** The family of an address, or undefined when the text is not one. */
export function familyOf(address: string): IpFamily | undefined {
  if (isIPv4(address)) return 'ipv4';
  if (isIPv6(address)) return 'ipv6';
  return undefined;
}

export function addressLength(family: IpFamily): 4 | 16 {
  return family === 'ipv4' ? 4 : 16;
}

function ipv4Bytes(address: string): Buffer {
  return Buffer.from(address.split('.').map(Number));
}

/** 16 bytes from any valid IPv6 spelling, "::" and an embedded IPv4 tail included. */
function ipv6Bytes(address: string): Buffer {
  let text = address;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = ipv4Bytes(text.slice(lastColon + 1));
    tail.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    text = text.slice(0, lastColon + 1) + '0'; // a placeholder group, dropped below
  }
  const groups = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((g) => parseInt(g, 16));
  const [head = '', rest] = text.split('::');
  let words = groups(head);
  let after = rest === undefined ? [] : groups(rest);
  if (tail.length > 0) {
    if (rest === undefined) words = words.slice(0, -1);
    else after = after.slice(0, -1);
  }
  after = [...after, ...tail];
  const missing = 8 - words.length - after.length;
  const all = [...words, ...new Array<number>(rest === undefined ? 0 : missing).fill(0), ...after];
  const bytes = Buffer.alloc(16);
  all.forEach((word, i) => bytes.writeUInt16BE(word, i * 2));
  return bytes;
}

/** The network-order bytes of an address; throws RangeError naming `field` when it is not one. */
export function addressBytes(address: string, family: IpFamily, field = 'address'): Buffer {
  const bare = canonicalAddress(address);
  if (familyOf(bare) !== family)
    throw new RangeError(
      `${field} must be an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address, got ${JSON.stringify(address)}`,
    );
  return family === 'ipv4' ? ipv4Bytes(bare) : ipv6Bytes(bare);
}

/** The canonical text of 4 or 16 bytes at `offset`. */
export function addressText(bytes: Uint8Array, offset: number, family: IpFamily): string {
  if (family === 'ipv4') return Array.from(bytes.subarray(offset, offset + 4)).join('.');
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2)
    words.push((((bytes[offset + i] ?? 0) << 8) | (bytes[offset + i + 1] ?? 0)).toString(16));
  return canonicalAddress(words.join(':'));
}
