// The VRRP network where no privilege is needed: errors for a namespace that does not exist, and
// the announcements' bytes (the lab tests send them: test/kernel/vrrp-announce.test.ts).
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../lib/kernel/binding.js';
import { nativeVrrpNetwork, VrrpNetworkError } from '../../lib/vrrp/native-network.js';

const MISSING_NETNS = '/run/netns/ipvs-native-no-such-vrrp-namespace';

describe('nativeVrrpNetwork', () => {
  it('turns a missing namespace into a VrrpNetworkError with errno, step and op', async () => {
    const opening = nativeVrrpNetwork.openChannel(MISSING_NETNS, 'eth0', 'ipv4');
    await expect(opening).rejects.toBeInstanceOf(VrrpNetworkError);
    await expect(opening).rejects.toMatchObject({
      errno: os.constants.errno.ENOENT,
      code: 'ENOENT',
      step: 'netns-open',
      op: 'open the IPv4 VRRP socket on eth0',
      netns: MISSING_NETNS,
    });
  });

  it('names CAP_NET_RAW when permission is denied', () => {
    const error = new VrrpNetworkError(os.constants.errno.EPERM, 'socket', 'open x', '/n');
    expect(error.message).toBe(
      'open x in network namespace /n failed: permission denied (needs root / CAP_NET_RAW) [EPERM]',
    );
  });
});

describe('the announcements, byte for byte', () => {
  const native = loadNative();
  const mac = Uint8Array.from([0x02, 0x00, 0x5e, 0x10, 0x20, 0x30]);

  it('gratuitous ARP: a request with sender and target IP the address, from our MAC', () => {
    expect(native.encodeAnnouncement(mac, '192.168.8.200').toString('hex')).toBe(
      [
        '0001', // hardware type Ethernet
        '0800', // protocol IPv4
        '06', // hardware address length
        '04', // protocol address length
        '0001', // request
        '02005e102030', // sender hardware address
        'c0a808c8', // sender IP 192.168.8.200
        'ffffffffffff', // target hardware address, as keepalived fills it
        'c0a808c8', // target IP, the same
      ].join(''),
    );
  });

  it('unsolicited NA: type 136, Override only, the target, its link-layer option', () => {
    expect(native.encodeAnnouncement(mac, '2001:db8:8::200').toString('hex')).toBe(
      [
        '88', // type 136
        '00', // code
        '0000', // checksum: the kernel's
        '20000000', // R=0 S=0 O=1
        '20010db8000800000000000000000200', // target
        '02', // option: target link-layer address
        '01', // 8 bytes
        '02005e102030',
      ].join(''),
    );
  });

  it('refuses what is not an address or a 6-byte hardware address', () => {
    expect(() => native.encodeAnnouncement(mac, 'vip')).toThrow(TypeError);
    expect(() => native.encodeAnnouncement(new Uint8Array(8), '192.168.8.200')).toThrow(TypeError);
  });
});

describe('nativeVrrpNetwork.openAnnouncer', () => {
  it('turns a missing namespace into a VrrpNetworkError', async () => {
    await expect(nativeVrrpNetwork.openAnnouncer(MISSING_NETNS, 'eth0')).rejects.toMatchObject({
      name: 'VrrpNetworkError',
      code: 'ENOENT',
      step: 'netns-open',
      op: 'open the announcer on eth0',
    });
  });
});
