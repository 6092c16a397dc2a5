// The checks of RFC 5798 section 7.1 that depend on the receiving instance, after the packet
// ones of packet.ts: TTL 255, the version and VRID configured, and for version 2 (RFC 3768
// section 7.1, as keepalived applies it) the same advertisement interval and authentication. A
// refused packet is counted and logged by the caller and never reaches the state machine.
import { decodeAdvertisement, type RefusalReason, type VrrpVersion } from './packet.js';
import type { IpFamily } from './address.js';
import type { ReceivedAdvertisement } from './state-machine.js';

/** A datagram as the VRRP socket hands it over (NativeVrrpDatagram). */
export interface VrrpDatagram {
  payload: Uint8Array;
  source: string;
  destination: string;
  /** -1 when the kernel did not say. */
  ttl: number;
}

export interface ReceivingInstance {
  version: VrrpVersion;
  family: IpFamily;
  virtualRouterId: number;
  intervalCentiseconds: number;
  /** This router's own address on the interface: a packet from it is our own. */
  primaryAddress: string;
  /** The configured virtual addresses, canonical. */
  addresses: readonly string[];
  /** Version 2's auth type (0 none, 1 simple password) and its 8 bytes; absent: none. */
  auth?: { type: number; data: Uint8Array } | undefined;
}

export type DropReason =
  | RefusalReason
  | 'ttl'
  | 'own'
  | 'version-mismatch'
  | 'other-router'
  | 'interval-mismatch'
  | 'auth-type'
  | 'auth-data';

export type AcceptResult =
  | {
      ok: true;
      advertisement: ReceivedAdvertisement;
      /**
       * Whether the sender lists exactly our addresses (RFC 5798: MAY check, SHOULD log a
       * mismatch). A mismatch is a misconfiguration worth a log line, not a reason to drop.
       */
      addressesMatch: boolean;
    }
  | { ok: false; reason: DropReason; detail: string };

function drop(reason: DropReason, detail: string): AcceptResult {
  return { ok: false, reason, detail };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export function acceptDatagram(datagram: VrrpDatagram, instance: ReceivingInstance): AcceptResult {
  // The TTL first, as the RFC orders it: anything not 255 came through a router.
  if (datagram.ttl !== 255) return drop('ttl', `TTL ${datagram.ttl}, not 255`);
  if (datagram.source === instance.primaryAddress)
    return drop('own', 'sent by this router (a unicast peer list that names itself?)');
  const decoded = decodeAdvertisement(datagram.payload, { family: instance.family, ...datagram });
  if (!decoded.ok) return decoded;
  const advert = decoded.advertisement;
  if (advert.virtualRouterId !== instance.virtualRouterId)
    return drop('other-router', `virtual router ${advert.virtualRouterId}, not ours`);
  if (advert.version !== instance.version)
    return drop('version-mismatch', `version ${advert.version}, ours is ${instance.version}`);
  if (advert.version === 2) {
    // Version 2 has no Master_Adver_Interval: two intervals in one router is a misconfiguration.
    if (advert.intervalCentiseconds !== instance.intervalCentiseconds)
      return drop(
        'interval-mismatch',
        `interval ${advert.intervalCentiseconds / 100}s, ours is ${instance.intervalCentiseconds / 100}s`,
      );
    const ours = instance.auth ?? { type: 0, data: new Uint8Array(8) };
    const theirs = advert.auth ?? { type: 0, data: new Uint8Array(8) };
    if (theirs.type !== ours.type)
      return drop('auth-type', `auth type ${theirs.type}, ours is ${ours.type}`);
    if (ours.type === 1 && !sameBytes(theirs.data, ours.data))
      return drop('auth-data', 'the password differs');
  }
  const theirs = [...advert.addresses].sort();
  const ours = [...instance.addresses].sort();
  return {
    ok: true,
    advertisement: {
      priority: advert.priority,
      intervalCentiseconds: advert.intervalCentiseconds,
      source: datagram.source,
    },
    addressesMatch: theirs.length === ours.length && theirs.every((a, i) => a === ours[i]),
  };
}
