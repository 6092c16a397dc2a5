// What a VRRP instance accepts from its socket: RFC 5798 section 7.1's checks that depend on the
// instance, each refusal with its reason, and the advertisement the state machine gets.
import { describe, expect, it } from 'vitest';
import { encodeAdvertisement, type VrrpAdvertisement } from '../../lib/vrrp/packet.js';
import { acceptDatagram, type ReceivingInstance } from '../../lib/vrrp/receive.js';

const instance: ReceivingInstance = {
  version: 2,
  family: 'ipv4',
  virtualRouterId: 51,
  intervalCentiseconds: 100,
  primaryAddress: '192.168.8.10',
  addresses: ['192.168.8.200', '192.168.8.201'],
};
const advert: VrrpAdvertisement = {
  version: 2,
  family: 'ipv4',
  virtualRouterId: 51,
  priority: 150,
  intervalCentiseconds: 100,
  addresses: ['192.168.8.201', '192.168.8.200'],
};
const ip = { source: '192.168.8.11', destination: '224.0.0.18' };

function datagram(change: Partial<VrrpAdvertisement> = {}, ttl = 255) {
  return { payload: encodeAdvertisement({ ...advert, ...change }, ip), ...ip, ttl };
}

describe('accepting a datagram', () => {
  it('hands the state machine priority, interval and source; addresses compared as a set', () => {
    expect(acceptDatagram(datagram(), instance)).toEqual({
      ok: true,
      advertisement: { priority: 150, intervalCentiseconds: 100, source: '192.168.8.11' },
      addressesMatch: true,
    });
    const other = acceptDatagram(datagram({ addresses: ['192.168.8.200'] }), instance);
    expect(other).toMatchObject({ ok: true, addressesMatch: false });
  });

  it('takes a version 3 master interval that differs from ours (Master_Adver_Interval)', () => {
    const v3 = { ...instance, version: 3 as const };
    const result = acceptDatagram(datagram({ version: 3, intervalCentiseconds: 50 }), v3);
    expect(result).toMatchObject({ ok: true, advertisement: { intervalCentiseconds: 50 } });
  });

  it.each([
    ['ttl', datagram({}, 254), instance],
    ['ttl', datagram({}, -1), instance],
    ['own', { ...datagram(), source: '192.168.8.10' }, instance],
    [
      'checksum',
      { ...datagram(), payload: Buffer.from(datagram().payload).fill(0, 6, 8) },
      instance,
    ],
    ['other-router', datagram({ virtualRouterId: 52 }), instance],
    ['version-mismatch', datagram({ version: 3 }), instance],
    ['interval-mismatch', datagram({ intervalCentiseconds: 200 }), instance],
    ['auth-type', datagram({ auth: { type: 1, data: Buffer.from('secret\0\0') } }), instance],
    [
      'auth-data',
      datagram({ auth: { type: 1, data: Buffer.from('secret\0\0') } }),
      { ...instance, auth: { type: 1, data: Buffer.from('other\0\0\0') } },
    ],
  ])('drops %s', (reason, bytes, receiver) => {
    expect(acceptDatagram(bytes, receiver)).toMatchObject({ ok: false, reason });
  });

  it('accepts the right password', () => {
    const auth = { type: 1, data: Buffer.from('secret\0\0') };
    expect(acceptDatagram(datagram({ auth }), { ...instance, auth }).ok).toBe(true);
  });
});
