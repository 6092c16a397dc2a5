// VRRP advertisements on the wire: version 2 (RFC 3768 section 5.1, IPv4 only, keepalived's
// default) and version 3 (RFC 5798 section 5.1, IPv4 and IPv6). Encoding throws on values our own
// code got wrong; decoding never throws on received bytes: it returns the advertisement or a typed
// refusal, which the receiver counts and logs without acting on the packet.
import { addressBytes, addressLength, addressText, type IpFamily } from './address.js';
import { internetChecksum, pseudoHeader, type PseudoHeaderAddresses } from './checksum.js';

export type VrrpVersion = 2 | 3;

/** The only VRRP packet type (RFC 5798 section 5.2.2). */
const TYPE_ADVERTISEMENT = 1;
const HEADER_LENGTH = 8;
/** VRRPv2's Authentication Data: 8 bytes after the addresses, zeros without authentication. */
const AUTH_DATA_LENGTH = 8;
const V3_INTERVAL_MASK = 0x0fff; // the top 4 bits of the 16 are reserved

/** VRRPv2's Auth Type (RFC 3768 section 5.3.6; RFC 3768 deprecates 1 and 2, keepalived keeps them). */
export interface V2Authentication {
  /** 0: none, 1: simple text password, 2: IP Authentication Header. */
  type: number;
  /** Exactly 8 bytes; keepalived writes the password there, zero-padded and cut at 8. */
  data: Uint8Array;
}

export interface VrrpAdvertisement {
  version: VrrpVersion;
  family: IpFamily;
  virtualRouterId: number;
  /** 0 (the master is stopping), 1-254, or 255 (the address owner). */
  priority: number;
  /**
   * The (Max) Advertisement Interval in centiseconds. Version 3 carries centiseconds (12 bits,
   * 1-4095); version 2 carries whole seconds (1-255), given here times 100.
   */
  intervalCentiseconds: number;
  /** The virtual addresses, in the canonical text of model/identity.ts. */
  addresses: readonly string[];
  /** Version 2 only; absent means no authentication (type 0, 8 zero bytes), as keepalived sends. */
  auth?: V2Authentication | undefined;
}

/** Why a received packet was refused: each check of RFC 5798 section 7.1 on the VRRP part. */
export type RefusalReason =
  'too-short' | 'version' | 'type' | 'virtual-router-id' | 'length' | 'interval' | 'checksum';

export type DecodeResult =
  | { ok: true; advertisement: VrrpAdvertisement }
  | { ok: false; reason: RefusalReason; detail: string };

/** Where a received message came from and went to: the family, and v3's pseudo-header. */
export interface ReceivedContext extends PseudoHeaderAddresses {
  family: IpFamily;
}

function messageLength(version: VrrpVersion, family: IpFamily, count: number): number {
  return HEADER_LENGTH + count * addressLength(family) + (version === 2 ? AUTH_DATA_LENGTH : 0);
}

function checkRange(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${field} must be an integer ${min}-${max}, got ${value}`);
}

/** The interval field's value: whole seconds for v2, centiseconds for v3. */
function intervalField(advert: VrrpAdvertisement): number {
  const cs = advert.intervalCentiseconds;
  if (advert.version === 3) {
    checkRange('intervalCentiseconds', cs, 1, V3_INTERVAL_MASK);
    return cs;
  }
  if (cs % 100 !== 0)
    throw new RangeError(`intervalCentiseconds must be whole seconds for VRRPv2, got ${cs}`);
  checkRange('intervalCentiseconds / 100', cs / 100, 1, 255);
  return cs / 100;
}

/**
 * The VRRP message (the IP payload) for `advert`. Version 3 needs the addresses of the IP header
 * for its checksum (for IPv6 the kernel overwrites it, IPV6_CHECKSUM at offset 6, with the same
 * value); version 2 ignores them.
 */
export function encodeAdvertisement(advert: VrrpAdvertisement, ip?: PseudoHeaderAddresses): Buffer {
  const { version, family, addresses } = advert;
  if (version === 2 && family !== 'ipv4')
    throw new RangeError('VRRPv2 carries IPv4 addresses only');
  if (version === 3 && advert.auth !== undefined)
    throw new RangeError('VRRPv3 has no authentication');
  checkRange('virtualRouterId', advert.virtualRouterId, 1, 255);
  checkRange('priority', advert.priority, 0, 255);
  // RFC 5798 says at least 1; keepalived sends 0 for an instance without addresses, and the
  // decoder accepts what keepalived sends.
  checkRange('addresses.length', addresses.length, 0, 255);
  const interval = intervalField(advert);
  const length = messageLength(version, family, addresses.length);
  const message = Buffer.alloc(length);
  message.writeUInt8((version << 4) | TYPE_ADVERTISEMENT, 0);
  message.writeUInt8(advert.virtualRouterId, 1);
  message.writeUInt8(advert.priority, 2);
  message.writeUInt8(addresses.length, 3);
  if (version === 2) {
    message.writeUInt8(advert.auth?.type ?? 0, 4);
    message.writeUInt8(interval, 5);
  } else message.writeUInt16BE(interval, 4);
  const size = addressLength(family);
  addresses.forEach((address, i) =>
    addressBytes(address, family, `addresses[${i}]`).copy(message, HEADER_LENGTH + i * size),
  );
  if (advert.auth !== undefined) {
    checkRange('auth.type', advert.auth.type, 0, 255);
    if (advert.auth.data.length !== AUTH_DATA_LENGTH)
      throw new RangeError(
        `auth.data must be ${AUTH_DATA_LENGTH} bytes, got ${advert.auth.data.length}`,
      );
    message.set(advert.auth.data, length - AUTH_DATA_LENGTH);
  }
  let parts: Uint8Array[] = [message];
  if (version === 3) {
    if (ip === undefined)
      throw new RangeError('VRRPv3 needs the source and destination for its checksum');
    parts = [pseudoHeader(family, ip, length), message];
  }
  message.writeUInt16BE(internetChecksum(parts), 6);
  return message;
}

function refuse(reason: RefusalReason, detail: string): DecodeResult {
  return { ok: false, reason, detail };
}

/**
 * Decodes a received VRRP message (the IP payload) and checks what RFC 5798 section 7.1 asks of
 * it: version, type, a VRID in 1-255, a length that matches the address count, a non-zero interval and the
 * checksum. What depends on the receiving instance (TTL, VRID, v2's interval and auth type, the
 * addresses) is the receiver's to check.
 */
export function decodeAdvertisement(bytes: Uint8Array, from: ReceivedContext): DecodeResult {
  if (bytes.length < HEADER_LENGTH)
    return refuse('too-short', `${bytes.length} bytes, shorter than the 8-byte VRRP header`);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const version = view.readUInt8(0) >> 4;
  const type = view.readUInt8(0) & 0x0f;
  if (version !== 2 && version !== 3) return refuse('version', `version ${version}, not 2 or 3`);
  if (version === 2 && from.family !== 'ipv4')
    return refuse('version', 'version 2 over IPv6: VRRPv2 carries IPv4 only');
  if (type !== TYPE_ADVERTISEMENT) return refuse('type', `type ${type}, not 1 (advertisement)`);
  // No instance has VRID 0 (RFC 5798 section 5.2.3: 1-255), so no receiver could accept it.
  if (view.readUInt8(1) === 0) return refuse('virtual-router-id', 'virtual router id 0');
  const count = view.readUInt8(3);
  const length = messageLength(version, from.family, count);
  // Exact, as keepalived checks: the kernel trims the IP payload to the IP header's length, so
  // anything beyond the addresses (and v2's auth data) was sent as part of the message.
  if (bytes.length !== length)
    return refuse('length', `${bytes.length} bytes, but ${count} address(es) make ${length}`);
  const interval = version === 2 ? view.readUInt8(5) : view.readUInt16BE(4) & V3_INTERVAL_MASK;
  // Not a check the RFC names, but a zero interval would make a backup's timers fire at once.
  if (interval === 0) return refuse('interval', 'advertisement interval 0');
  const parts = version === 3 ? [pseudoHeader(from.family, from, length), view] : [view];
  if (internetChecksum(parts) !== 0)
    return refuse(
      'checksum',
      `checksum 0x${view.readUInt16BE(6).toString(16).padStart(4, '0')} does not verify`,
    );
  const size = addressLength(from.family);
  const addresses: string[] = [];
  for (let i = 0; i < count; i++)
    addresses.push(addressText(view, HEADER_LENGTH + i * size, from.family));
  const advertisement: VrrpAdvertisement = {
    version,
    family: from.family,
    virtualRouterId: view.readUInt8(1),
    priority: view.readUInt8(2),
    intervalCentiseconds: version === 2 ? interval * 100 : interval,
    addresses,
  };
  if (version === 2)
    advertisement.auth = {
      type: view.readUInt8(4),
      data: Uint8Array.from(view.subarray(length - AUTH_DATA_LENGTH, length)),
    };
  return { ok: true, advertisement };
}
