// Golden bytes for the rtnetlink encoder: what netConfig sends for each step of a real server's
// preparation, against what iproute2's `ip` (6.1) sent for the same step, captured with strace in
// the lab (test/fixtures/iproute2-golden.json, test/fixtures/capture-iproute2.sh). `ip` first
// resolves the device name with an RTM_GETLINK; the message compared is its last one. Address
// messages are identical; link messages differ where spelled out below.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../lib/kernel/binding.js';
import type { NativeNetRequest } from '../../lib/kernel/native.js';
import { packNetRequest } from '../../lib/kernel/net-request-packer.js';

const native = loadNative();

interface Capture {
  argv: string[];
  messages: string[];
}

const golden = JSON.parse(
  readFileSync(new URL('../fixtures/iproute2-golden.json', import.meta.url), 'utf8'),
) as { captures: Capture[] };

/** `ip`'s last message for a command line, and its sequence number. */
function captured(line: string): { bytes: Buffer; seq: number } {
  const capture = golden.captures.find((c) => c.argv.join(' ') === `ip ${line}`);
  const hex = capture?.messages.at(-1);
  if (hex === undefined) throw new Error(`no capture for: ip ${line}`);
  const bytes = Buffer.from(hex, 'hex');
  return { bytes, seq: bytes.readUInt32LE(8) };
}

/** Through the path netConfig takes: packed by the TypeScript packer, read back by the addon. */
function ours(request: NativeNetRequest, ifindex: number, seq: number): Buffer {
  return native.encodeNetRequest(packNetRequest(request), ifindex, seq);
}

const LO = 1;
const TUNL0 = 2; // in a fresh namespace: lo is 1, tunl0 (made by the ipip module) 2

describe('rtnetlink encoding against iproute2', () => {
  it.each<[string, NativeNetRequest, number]>([
    [
      'addr add 192.168.8.200/32 dev lo label lo:0',
      { op: 'addAddress', ifname: 'lo', address: '192.168.8.200', prefixLength: 32, label: 'lo:0' },
      LO,
    ],
    [
      'addr del 192.168.8.200/32 dev lo label lo:0',
      { op: 'delAddress', ifname: 'lo', address: '192.168.8.200', prefixLength: 32, label: 'lo:0' },
      LO,
    ],
    [
      'addr add 2001:db8:8::200/128 dev lo nodad',
      { op: 'addAddress', ifname: 'lo', address: '2001:db8:8::200', prefixLength: 128 },
      LO,
    ],
    [
      'addr del 2001:db8:8::200/128 dev lo',
      { op: 'delAddress', ifname: 'lo', address: '2001:db8:8::200', prefixLength: 128 },
      LO,
    ],
    [
      'addr add 192.168.8.200/32 dev tunl0',
      { op: 'addAddress', ifname: 'tunl0', address: '192.168.8.200', prefixLength: 32 },
      TUNL0,
    ],
  ])('ip %s: identical bytes', (line, request, ifindex) => {
    const { bytes, seq } = captured(line);
    expect(ours(request, ifindex, seq).toString('hex')).toBe(bytes.toString('hex'));
  });

  it.each<[string, 'setLinkUp' | 'setLinkDown']>([
    ['link set tunl0 up', 'setLinkUp'],
    ['link set tunl0 down', 'setLinkDown'],
  ])('ip %s: the same request by name instead of index', (line, op) => {
    const { bytes, seq } = captured(line);
    // `ip` resolved tunl0 to its index first; we send ifi_index 0 and IFLA_IFNAME (type 3)
    // "tunl0", which the kernel looks up itself. Header and IFF_UP flag/change are the same.
    const expected = Buffer.concat([
      bytes,
      Buffer.from('0a000300' + '74756e6c3000' + '0000', 'hex'),
    ]);
    expected.writeUInt32LE(expected.length, 0);
    expected.writeInt32LE(0, 20); // ifi_index
    expect(ours({ op, ifname: 'tunl0' }, 0, seq).toString('hex')).toBe(expected.toString('hex'));
  });

  it('ip link add tunl0 type ipip: the same, without NLM_F_EXCL and with IFF_UP', () => {
    const { bytes, seq } = captured('link add tunl0 type ipip');
    const expected = Buffer.from(bytes);
    // NLM_F_EXCL (0x200) dropped: an existing tunl0 is brought up instead of refused (EEXIST).
    expected.writeUInt16LE(bytes.readUInt16LE(6) & ~0x200, 6);
    expected.writeUInt32LE(1, 24); // ifi_flags: IFF_UP
    expected.writeUInt32LE(1, 28); // ifi_change: IFF_UP
    // IFLA_LINKINFO (18) carries NLA_F_NESTED (0x8000) in ours; the kernel masks it off.
    const linkinfo = expected.indexOf(Buffer.from('0c001200', 'hex'));
    expect(linkinfo).toBeGreaterThan(0);
    expected.writeUInt16LE(0x8012, linkinfo + 2);
    expect(ours({ op: 'ensureIpip', ifname: 'tunl0' }, 0, seq).toString('hex')).toBe(
      expected.toString('hex'),
    );
  });

  it('dumps carry only the family header', () => {
    expect(ours({ op: 'getRoutes', family: 2 }, 0, 7).toString('hex')).toBe(
      // nlmsghdr: len 28, RTM_GETROUTE (26), NLM_F_REQUEST|NLM_F_DUMP (0x301), seq 7, pid 0;
      // struct rtmsg: family AF_INET, the rest 0.
      '1c000000' + '1a00' + '0103' + '07000000' + '00000000' + '02000000' + '0000000000000000',
    );
    expect(ours({ op: 'getAddresses' }, 0, 1).toString('hex')).toBe(
      '18000000' + '1600' + '0103' + '01000000' + '00000000' + '0000000000000000',
    );
    expect(ours({ op: 'getLinks' }, 0, 1).toString('hex')).toBe(
      '20000000' + '1200' + '0103' + '01000000' + '00000000' + '00'.repeat(16),
    );
  });

  it('refuses bad requests with a TypeError, and sysctls have no message', () => {
    expect(() =>
      ours({ op: 'addAddress', ifname: 'lo', address: '192.168.8.999', prefixLength: 32 }, 1, 1),
    ).toThrow(TypeError);
    expect(() => ours({ op: 'bogus' } as unknown as NativeNetRequest, 1, 1)).toThrow(/unknown op/);
    expect(() => ours({ op: 'setLinkUp', ifname: 'x'.repeat(16) }, 0, 1)).toThrow(RangeError);
    expect(() => ours({ op: 'readSysctl', path: 'net/ipv4/ip_forward' }, 0, 1)).toThrow(
      /no netlink message/,
    );
  });
});
