// VRRP advertisements: the layout keepalived sends (v2) and RFC 5798's (v3), the checksums checked
// against an independent computation, and decoding that refuses bad bytes with a reason, never
// throwing.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addressBytes, addressText } from '../../lib/vrrp/address.js';
import { internetChecksum, pseudoHeader } from '../../lib/vrrp/checksum.js';
import {
  decodeAdvertisement,
  encodeAdvertisement,
  type ReceivedContext,
  type VrrpAdvertisement,
} from '../../lib/vrrp/packet.js';

/** RFC 1071's checksum written independently: whole words summed as a BigInt, then folded. */
function referenceChecksum(bytes: Uint8Array): number {
  const even = bytes.length % 2 === 0 ? bytes : Uint8Array.from([...bytes, 0]);
  let sum = 0n;
  for (let i = 0; i < even.length; i += 2) sum += BigInt((even[i] ?? 0) * 256 + (even[i + 1] ?? 0));
  while (sum >> 16n !== 0n) sum = (sum & 0xffffn) + (sum >> 16n);
  return Number(~sum & 0xffffn);
}

/** The message with its checksum field zeroed, as the sender summed it. */
function zeroedChecksum(message: Buffer): Buffer {
  const copy = Buffer.from(message);
  copy.writeUInt16BE(0, 6);
  return copy;
}

const v4 = { family: 'ipv4', source: '192.168.8.10', destination: '224.0.0.18' } as const;
const v6 = { family: 'ipv6', source: 'fe80::1', destination: 'ff02::12' } as const;

const keepalivedDefault: VrrpAdvertisement = {
  version: 2,
  family: 'ipv4',
  virtualRouterId: 51,
  priority: 150,
  intervalCentiseconds: 100,
  addresses: ['192.168.8.200'],
};

describe('internet checksum', () => {
  it("gives RFC 1071's worked example (section 3: sum ddf2, so checksum 220d)", () => {
    const bytes = Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(internetChecksum([bytes])).toBe(0x220d);
    expect(referenceChecksum(bytes)).toBe(0x220d);
  });

  it('agrees with the reference on random data, however it is split into parts', () => {
    for (let round = 0; round < 500; round++) {
      const bytes = randomBytes(1 + (round % 97));
      const cut = round % bytes.length;
      expect(internetChecksum([bytes.subarray(0, cut), bytes.subarray(cut)])).toBe(
        referenceChecksum(bytes),
      );
    }
  });

  it('builds the IPv4 and IPv6 pseudo-headers of RFC 768 and RFC 2460 section 8.1', () => {
    expect(pseudoHeader('ipv4', v4, 20).toString('hex')).toBe('c0a8080ae0000012' + '00700014');
    const six = pseudoHeader('ipv6', v6, 24).toString('hex');
    expect(six).toBe(
      'fe800000000000000000000000000001' +
        'ff020000000000000000000000000012' +
        '00000018000000' +
        '70',
    );
  });
});

describe('VRRPv2, as keepalived sends it', () => {
  it('lays out a default instance: no authentication, seconds, 8 zero bytes of auth data', () => {
    const message = encodeAdvertisement(keepalivedDefault);
    // version 2, type 1 | vrid 51 | priority 150 | 1 address | auth type 0 | 1 s | checksum
    expect(message.subarray(0, 6).toString('hex')).toBe('213396010001');
    expect(message.subarray(8, 12).toString('hex')).toBe('c0a808c8');
    expect(message.subarray(12).toString('hex')).toBe('0000000000000000');
    expect(message.length).toBe(20); // tcpdump's "length 20" for one address
    // Over the VRRP message alone, no pseudo-header (RFC 3768 section 5.3.8).
    expect(message.readUInt16BE(6)).toBe(referenceChecksum(zeroedChecksum(message)));
  });

  it('puts a simple password in the auth data, zero-padded to 8 bytes (auth "1111^@^@^@^@")', () => {
    const data = Buffer.alloc(8);
    data.write('1111');
    const message = encodeAdvertisement({ ...keepalivedDefault, auth: { type: 1, data } });
    expect(message.readUInt8(4)).toBe(1);
    expect(message.subarray(12).toString('latin1')).toBe('1111\0\0\0\0');
    expect(message.readUInt16BE(6)).toBe(referenceChecksum(zeroedChecksum(message)));
  });

  it('round-trips, reporting the auth fields it received', () => {
    const advert = { ...keepalivedDefault, addresses: ['192.168.8.200', '10.0.0.1'] };
    const result = decodeAdvertisement(encodeAdvertisement(advert), v4);
    expect(result).toEqual({
      ok: true,
      advertisement: { ...advert, auth: { type: 0, data: new Uint8Array(8) } },
    });
  });

  it('carries the interval in whole seconds, 1-255', () => {
    const message = encodeAdvertisement({ ...keepalivedDefault, intervalCentiseconds: 25_500 });
    expect(message.readUInt8(5)).toBe(255);
    expect(() => encodeAdvertisement({ ...keepalivedDefault, intervalCentiseconds: 150 })).toThrow(
      /whole seconds/,
    );
    expect(() =>
      encodeAdvertisement({ ...keepalivedDefault, intervalCentiseconds: 25_600 }),
    ).toThrow(/1-255/);
  });

  it('does not checksum a pseudo-header: any source and destination verify', () => {
    const message = encodeAdvertisement(keepalivedDefault, v4);
    const elsewhere: ReceivedContext = {
      family: 'ipv4',
      source: '1.2.3.4',
      destination: '5.6.7.8',
    };
    expect(decodeAdvertisement(message, elsewhere).ok).toBe(true);
  });
});

describe('VRRPv3', () => {
  const v3: VrrpAdvertisement = { ...keepalivedDefault, version: 3, intervalCentiseconds: 100 };

  it('carries centiseconds in 12 bits and checksums the IPv4 pseudo-header', () => {
    const message = encodeAdvertisement({ ...v3, intervalCentiseconds: 4095 }, v4);
    expect(message.subarray(0, 6).toString('hex')).toBe('31339601' + '0fff');
    expect(message.length).toBe(12); // no auth data in v3
    const summed = Buffer.concat([pseudoHeader('ipv4', v4, 12), zeroedChecksum(message)]);
    expect(message.readUInt16BE(6)).toBe(referenceChecksum(summed));
  });

  it('ignores the 4 reserved bits on receipt', () => {
    const message = encodeAdvertisement(v3, v4);
    message.writeUInt16BE(0xf064, 4); // reserved bits set, 100 cs
    message.writeUInt16BE(0, 6);
    message.writeUInt16BE(internetChecksum([pseudoHeader('ipv4', v4, 12), message]), 6);
    const result = decodeAdvertisement(message, v4);
    expect(result.ok && result.advertisement.intervalCentiseconds).toBe(100);
  });

  it('refuses a message checksummed for another destination (unicast peer vs multicast group)', () => {
    const message = encodeAdvertisement(v3, { source: v4.source, destination: '192.168.8.11' });
    expect(decodeAdvertisement(message, { ...v4, destination: '192.168.8.11' }).ok).toBe(true);
    expect(decodeAdvertisement(message, v4)).toMatchObject({ ok: false, reason: 'checksum' });
  });

  it('carries IPv6 addresses with the IPv6 pseudo-header, and round-trips', () => {
    const advert: VrrpAdvertisement = {
      version: 3,
      family: 'ipv6',
      virtualRouterId: 7,
      priority: 255,
      intervalCentiseconds: 50,
      addresses: ['2001:db8::200', 'fe80::200'],
    };
    const message = encodeAdvertisement(advert, v6);
    expect(message.length).toBe(8 + 32);
    expect(message.subarray(8, 24).toString('hex')).toBe('20010db8000000000000000000000200');
    const summed = Buffer.concat([pseudoHeader('ipv6', v6, 40), zeroedChecksum(message)]);
    expect(message.readUInt16BE(6)).toBe(referenceChecksum(summed));
    expect(decodeAdvertisement(message, v6)).toEqual({ ok: true, advertisement: advert });
  });

  it('needs the IP addresses to encode, and has no authentication', () => {
    expect(() => encodeAdvertisement(v3)).toThrow(/source and destination/);
    expect(() =>
      encodeAdvertisement({ ...v3, auth: { type: 0, data: new Uint8Array(8) } }, v4),
    ).toThrow(/no authentication/);
  });
});

describe('encoding refuses what our own code got wrong', () => {
  it.each([
    [{ virtualRouterId: 0 }, /virtualRouterId must be an integer 1-255/],
    [{ priority: 256 }, /priority must be an integer 0-255/],
    [
      { addresses: new Array<string>(256).fill('10.0.0.1') },
      /addresses.length must be an integer 0-255/,
    ],
    [{ addresses: ['2001:db8::1'] }, /addresses\[0\] must be an IPv4 address/],
    [{ family: 'ipv6' as const }, /VRRPv2 carries IPv4 addresses only/],
    [{ auth: { type: 1, data: new Uint8Array(7) } }, /auth.data must be 8 bytes/],
  ])('%o', (change, message) => {
    expect(() => encodeAdvertisement({ ...keepalivedDefault, ...change })).toThrow(message);
  });
});

describe('decoding refuses bad bytes with a reason', () => {
  const good = encodeAdvertisement(keepalivedDefault);
  const patched = (offset: number, value: number): Buffer => {
    const copy = Buffer.from(good);
    copy.writeUInt8(value, offset);
    copy.writeUInt16BE(0, 6);
    copy.writeUInt16BE(internetChecksum([copy]), 6); // so that only the patched field is wrong
    return copy;
  };

  it.each([
    ['too-short', good.subarray(0, 7)],
    ['version', patched(0, 0x11)],
    ['version', patched(0, 0x41)],
    ['type', patched(0, 0x22)],
    ['virtual-router-id', patched(1, 0)],
    ['length', patched(3, 2)],
    ['length', Buffer.concat([good, Buffer.alloc(4)])],
    ['interval', patched(5, 0)],
    ['checksum', Buffer.from(good).fill(0xff, 6, 8)],
  ])('%s', (reason, bytes) => {
    expect(decodeAdvertisement(bytes, v4)).toMatchObject({ ok: false, reason });
  });

  it('refuses version 2 over IPv6', () => {
    const sixBytes = Buffer.concat([good.subarray(0, 8), Buffer.alloc(16), Buffer.alloc(8)]);
    expect(decodeAdvertisement(sixBytes, v6)).toMatchObject({ ok: false, reason: 'version' });
  });

  it('refuses every truncation and every single flipped bit of a valid message', () => {
    const v3six = encodeAdvertisement(
      { ...keepalivedDefault, version: 3, family: 'ipv6', addresses: ['2001:db8::1'] },
      v6,
    );
    for (const [message, from] of [
      [good, v4],
      [v3six, v6],
    ] as const) {
      for (let cut = 0; cut < message.length; cut++)
        expect(decodeAdvertisement(message.subarray(0, cut), from).ok).toBe(false);
      for (let bit = 0; bit < message.length * 8; bit++) {
        const flipped = Buffer.from(message);
        flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (0x80 >> (bit & 7));
        expect(decodeAdvertisement(flipped, from).ok).toBe(false);
      }
    }
  });

  it('never throws on random bytes, and what it accepts re-encodes to the same bytes', () => {
    let accepted = 0;
    for (let round = 0; round < 10_000; round++) {
      const from = round % 2 === 0 ? v4 : v6;
      let bytes = randomBytes(round % 60);
      // A third of the rounds get a valid header, length and checksum around random fields, so
      // that the accepting path is fuzzed too.
      if (round % 3 === 0) {
        const version = from.family === 'ipv6' || round % 4 === 0 ? 3 : 2;
        const count = round % 4;
        const size = from.family === 'ipv4' ? 4 : 16;
        bytes = randomBytes(8 + count * size + (version === 2 ? 8 : 0));
        bytes[0] = (version << 4) | 1;
        bytes[3] = count;
        if (bytes[1] === 0) bytes[1] = 51;
        if (bytes[5] === 0) bytes[5] = 1; // a zero interval is refused
        if (version === 3) bytes[4] = (bytes[4] ?? 0) & 0x0f; // reserved: tested on its own above
        bytes.writeUInt16BE(0, 6);
        const parts =
          version === 3 ? [pseudoHeader(from.family, from, bytes.length), bytes] : [bytes];
        bytes.writeUInt16BE(internetChecksum(parts), 6);
      }
      const result = decodeAdvertisement(bytes, from);
      if (!result.ok) {
        expect(result.reason).toMatch(
          /^(too-short|version|type|virtual-router-id|length|interval|checksum)$/,
        );
        continue;
      }
      accepted++;
      const again = encodeAdvertisement(result.advertisement, from);
      expect(again.toString('hex')).toBe(bytes.toString('hex'));
    }
    expect(accepted).toBeGreaterThan(2500);
  });
});

describe('addresses as bytes', () => {
  it.each([
    ['192.168.8.200', 'ipv4', 'c0a808c8', '192.168.8.200'],
    ['2001:DB8::1', 'ipv6', '20010db8000000000000000000000001', '2001:db8::1'],
    ['::', 'ipv6', '00000000000000000000000000000000', '::'],
    ['::ffff:192.0.2.1', 'ipv6', '00000000000000000000ffffc0000201', '::ffff:c000:201'],
    ['1:2:3:4:5:6:7:8', 'ipv6', '00010002000300040005000600070008', '1:2:3:4:5:6:7:8'],
    ['fe80::', 'ipv6', 'fe800000000000000000000000000000', 'fe80::'],
  ] as const)('%s', (text, family, hex, canonical) => {
    const bytes = addressBytes(text, family);
    expect(bytes.toString('hex')).toBe(hex);
    expect(addressText(bytes, 0, family)).toBe(canonical);
  });

  it('names the field when the text is not an address of the family', () => {
    expect(() => addressBytes('192.168.8.300', 'ipv4', 'vip')).toThrow(/vip must be an IPv4/);
    expect(() => addressBytes('10.0.0.1', 'ipv6')).toThrow(/address must be an IPv6/);
  });
});
