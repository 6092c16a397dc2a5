// The Internet checksum (RFC 1071) over a VRRP message, and the pseudo-headers VRRPv3 adds to it
// (RFC 5798 section 5.2.8). VRRPv2 (RFC 3768 section 5.3.8) covers the VRRP message alone.
import { addressBytes, type IpFamily } from './address.js';

const IPPROTO_VRRP = 112;

/** The 16-bit ones'-complement sum of `parts`, as one byte stream (an odd length padded with 0). */
function onesComplementSum(parts: readonly Uint8Array[]): number {
  let sum = 0;
  let high: number | undefined; // the first byte of a word split across two parts
  for (const part of parts) {
    for (const byte of part) {
      if (high === undefined) high = byte;
      else {
        sum += (high << 8) | byte;
        high = undefined;
      }
    }
  }
  if (high !== undefined) sum += high << 8;
  // JavaScript numbers are exact to 2^53, so the running sum never overflows; folding adds the
  // carries back in until the sum fits 16 bits.
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** The checksum to write into a message whose checksum field is zero, or that verifies as 0. */
export function internetChecksum(parts: readonly Uint8Array[]): number {
  return ~onesComplementSum(parts) & 0xffff;
}

/** The addresses of the IP header that carries (or will carry) the VRRP message. */
export interface PseudoHeaderAddresses {
  /** The sender's primary address on the interface. */
  source: string;
  /** 224.0.0.18, ff02::12 or the unicast peer. */
  destination: string;
}

/**
 * The VRRPv3 pseudo-header: for IPv4 (RFC 768's layout) source, destination, a zero byte, the
 * protocol and the VRRP length; for IPv6 (RFC 2460 section 8.1) source, destination, the length in
 * 32 bits, three zero bytes and the next header.
 */
export function pseudoHeader(
  family: IpFamily,
  addresses: PseudoHeaderAddresses,
  length: number,
): Buffer {
  const source = addressBytes(addresses.source, family, 'source');
  const destination = addressBytes(addresses.destination, family, 'destination');
  const tail = Buffer.alloc(family === 'ipv4' ? 4 : 8);
  if (family === 'ipv4') {
    tail.writeUInt8(IPPROTO_VRRP, 1);
    tail.writeUInt16BE(length, 2);
  } else {
    tail.writeUInt32BE(length, 0);
    tail.writeUInt8(IPPROTO_VRRP, 7);
  }
  return Buffer.concat([source, destination, tail]);
}
