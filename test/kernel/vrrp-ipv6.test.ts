// VRRP over IPv6 (native/vrrp/raw_socket_ipv6.cc) between two namespaces on a bridge, through the
// library's port (lib/vrrp/native-network.ts): an advertisement to ff02::12 arrives with hop limit
// 255 from the sender's link-local address, and its checksum (the kernel's, IPV6_CHECKSUM)
// verifies against lib/vrrp's pseudo-header; a unicast one likewise; the sender does not hear
// itself. And a virtual IPv6 address added through rtnetlink is usable at once (IFA_F_NODAD).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetNamespace } from '../../lib/host/net-config.js';
import { decodeAdvertisement, encodeAdvertisement } from '../../lib/vrrp/packet.js';
import { nativeVrrpNetwork } from '../../lib/vrrp/native-network.js';
import type { VrrpChannel } from '../../lib/vrrp/ports.js';
import { netnsPath, poll, Topology } from '../support/topology.js';
import { sh } from '../support/sh.js';

const topology = new Topology('vrrp6');
const channels: VrrpChannel[] = [];
let nsA: string;
let nsB: string;
let a: VrrpChannel;
let b: VrrpChannel;
let linkLocalA: string;

async function open(ns: string): Promise<VrrpChannel> {
  const channel = await nativeVrrpNetwork.openChannel(netnsPath(ns), 'eth0', 'ipv6');
  channels.push(channel);
  return channel;
}

/** The namespace's link-local address on eth0 once it has passed DAD. */
async function linkLocal(ns: string): Promise<string> {
  const text = await poll(
    () =>
      Promise.resolve(sh('ip', '-n', ns, '-6', 'address', 'show', 'dev', 'eth0', 'scope', 'link')),
    (out) => out.includes('fe80::') && !out.includes('tentative'),
    `a usable link-local address in ${ns}`,
  );
  const match = /inet6 (fe80::[0-9a-f:]+)\//.exec(text);
  if (!match?.[1]) throw new Error(`no link-local address in ${text}`);
  return match[1];
}

beforeAll(async () => {
  const br = topology.bridge('vrrp6br0');
  nsA = topology.host('a', [{ ifname: 'eth0', bridge: br, addresses: ['2001:db8:8::10/64'] }]);
  nsB = topology.host('b', [{ ifname: 'eth0', bridge: br, addresses: ['2001:db8:8::11/64'] }]);
  linkLocalA = await linkLocal(nsA);
  await linkLocal(nsB);
  a = await open(nsA);
  b = await open(nsB);
});

afterAll(() => {
  for (const channel of channels) channel.close();
  topology.destroy();
});

const advert = {
  version: 3,
  family: 'ipv6',
  virtualRouterId: 51,
  priority: 150,
  intervalCentiseconds: 100,
  addresses: ['2001:db8:8::200'],
} as const;

describe('the IPv6 VRRP channel', () => {
  it('knows its family and interface', () => {
    const index = Number(sh('ip', '-n', nsB, '-o', 'link', 'show', 'eth0').split(':')[0]);
    expect(b.family).toBe('ipv6');
    expect(b.ifindex).toBe(index);
  });

  it('carries an advertisement to ff02::12 from the link-local address, hop limit 255', async () => {
    const arriving = b.receive(10_000);
    // Zero in the checksum field: the kernel fills it on the way out.
    a.send(encodeAdvertisement(advert, { source: '::', destination: 'ff02::12' }), 'ff02::12');
    const datagram = await arriving;
    expect(datagram).toMatchObject({ source: linkLocalA, destination: 'ff02::12', ttl: 255 });
    const decoded = decodeAdvertisement(datagram?.payload ?? Buffer.alloc(0), {
      family: 'ipv6',
      source: datagram?.source ?? '',
      destination: datagram?.destination ?? '',
    });
    expect(decoded).toEqual({ ok: true, advertisement: advert });
    // The checksum covers the pseudo-header: the same bytes from another source do not verify.
    const forged = decodeAdvertisement(datagram?.payload ?? Buffer.alloc(0), {
      family: 'ipv6',
      source: 'fe80::1',
      destination: 'ff02::12',
    });
    expect(forged).toMatchObject({ ok: false, reason: 'checksum' });
  });

  it('does not hear its own advertisements', async () => {
    const own = a.receive(1500);
    a.send(
      encodeAdvertisement(advert, { source: linkLocalA, destination: 'ff02::12' }),
      'ff02::12',
    );
    expect(await own).toBeNull();
    expect(await b.receive(5000)).not.toBeNull(); // the one just sent
  });

  it('carries a unicast advertisement to a peer, checksum over the addresses used', async () => {
    const arriving = b.receive(10_000);
    a.send(
      encodeAdvertisement(advert, { source: '::', destination: '2001:db8:8::11' }),
      '2001:db8:8::11',
    );
    const datagram = await arriving;
    expect(datagram).toMatchObject({
      source: '2001:db8:8::10',
      destination: '2001:db8:8::11',
      ttl: 255,
    });
    const from = {
      family: 'ipv6',
      source: datagram?.source ?? '',
      destination: datagram?.destination ?? '',
    } as const;
    expect(decodeAdvertisement(datagram?.payload ?? Buffer.alloc(0), from)).toEqual({
      ok: true,
      advertisement: advert,
    });
  });

  it('refuses an IPv4 destination and a message over 8 + 255 * 16 bytes', () => {
    expect(() => {
      a.send(encodeAdvertisement(advert, { source: '::', destination: 'ff02::12' }), '224.0.0.18');
    }).toThrow(TypeError);
    expect(() => {
      a.send(new Uint8Array(8 + 255 * 16 + 1), 'ff02::12');
    }).toThrow(RangeError);
  });

  it('names the step and errno for an unknown interface', async () => {
    await expect(
      nativeVrrpNetwork.openChannel(netnsPath(nsA), 'nosuch0', 'ipv6'),
    ).rejects.toMatchObject({
      name: 'VrrpNetworkError',
      step: 'socket',
      code: 'ENODEV',
      op: 'open the IPv6 VRRP socket on nosuch0',
    });
  });
});

describe('an IPv6 virtual address added through rtnetlink', () => {
  it('is usable at once: added with IFA_F_NODAD, never tentative', async () => {
    await new NetNamespace(netnsPath(nsA)).must(
      { op: 'addAddress', ifname: 'eth0', address: '2001:db8:8::200', prefixLength: 64 },
      'add the VIP',
    );
    const line = sh(
      'ip',
      '-n',
      nsA,
      '-6',
      'address',
      'show',
      'dev',
      'eth0',
      'to',
      '2001:db8:8::200',
    );
    expect(line).toContain('2001:db8:8::200/64');
    expect(line).toContain('nodad');
    expect(line).not.toContain('tentative');
  });
});
