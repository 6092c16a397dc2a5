// VRRP's raw socket (native/vrrp/) between two namespaces joined by a bridge: an advertisement
// sent to 224.0.0.18 arrives with TTL 255, its source, the group and the interface, and decodes
// to what was sent; a unicast VRRPv3 one verifies against its pseudo-header; the sender does not
// hear itself; errors carry their step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNative } from '../../lib/kernel/binding.js';
import { Ipvs } from '../../lib/ipvs.js';
import type { NativeVrrpSocket } from '../../lib/kernel/native.js';
import { decodeAdvertisement, encodeAdvertisement } from '../../lib/vrrp/packet.js';
import { netnsPath, Topology } from '../support/topology.js';
import { sh } from '../support/sh.js';

const native = loadNative();
const topology = new Topology('vrrp');
const sockets: NativeVrrpSocket[] = [];
let nsA: string;
let nsB: string;
let a: NativeVrrpSocket;
let b: NativeVrrpSocket;

async function open(ns: string, ifname = 'eth0'): Promise<NativeVrrpSocket> {
  const socket = await native.vrrpOpen(netnsPath(ns), ifname);
  sockets.push(socket);
  return socket;
}

beforeAll(async () => {
  const br = topology.bridge('vrrpbr0');
  nsA = topology.host('a', [{ ifname: 'eth0', bridge: br, addresses: ['192.168.8.10/24'] }]);
  nsB = topology.host('b', [{ ifname: 'eth0', bridge: br, addresses: ['192.168.8.11/24'] }]);
  a = await open(nsA);
  b = await open(nsB);
});

afterAll(() => {
  for (const socket of sockets) socket.close();
  topology.destroy();
});

const advert = {
  version: 2,
  family: 'ipv4',
  virtualRouterId: 51,
  priority: 150,
  intervalCentiseconds: 100,
  addresses: ['192.168.8.200'],
} as const;

describe('the VRRP socket', () => {
  it('knows its interface in its own namespace', () => {
    const index = Number(sh('ip', '-n', nsB, '-o', 'link', 'show', 'eth0').split(':')[0]);
    expect(b.ifindex).toBe(index);
  });

  it('carries a multicast advertisement with TTL 255 to the other namespace', async () => {
    const arriving = b.receive(10_000);
    a.send(encodeAdvertisement(advert), '224.0.0.18');
    const datagram = await arriving;
    expect(datagram).toMatchObject({
      source: '192.168.8.10',
      destination: '224.0.0.18',
      ttl: 255,
      ifindex: b.ifindex,
    });
    const decoded = decodeAdvertisement(datagram?.payload ?? Buffer.alloc(0), {
      family: 'ipv4',
      source: datagram?.source ?? '',
      destination: datagram?.destination ?? '',
    });
    expect(decoded).toEqual({
      ok: true,
      advertisement: { ...advert, auth: { type: 0, data: new Uint8Array(8) } },
    });
  });

  it('does not hear its own advertisements', async () => {
    const own = a.receive(1500);
    a.send(encodeAdvertisement(advert), '224.0.0.18');
    expect(await own).toBeNull();
    expect(await b.receive(5000)).not.toBeNull(); // the one just sent, so the next test starts clean
  });

  it('carries a unicast VRRPv3 advertisement whose checksum covers the peer address', async () => {
    const v3 = { ...advert, version: 3, intervalCentiseconds: 50 } as const;
    const ip = { source: '192.168.8.10', destination: '192.168.8.11' };
    const arriving = b.receive(10_000);
    a.send(encodeAdvertisement(v3, ip), ip.destination);
    const datagram = await arriving;
    expect(datagram).toMatchObject({ ...ip, ttl: 255 });
    const from = { family: 'ipv4', ...ip } as const;
    expect(decodeAdvertisement(datagram?.payload ?? Buffer.alloc(0), from)).toEqual({
      ok: true,
      advertisement: v3,
    });
  });

  it('returns null when nothing arrives in time, and one receive at a time', async () => {
    const waiting = b.receive(800);
    await expect(b.receive(800)).rejects.toMatchObject({ step: 'busy' });
    expect(await waiting).toBeNull();
  });

  it('wakes a waiting receive on close, which then rejects as closed', async () => {
    const socket = await open(nsB);
    const waiting = socket.receive(60_000);
    socket.close();
    await expect(waiting).rejects.toMatchObject({ step: 'closed' });
    await expect(socket.receive(100)).rejects.toMatchObject({ step: 'closed' });
    expect(socket.ifindex).toBeUndefined();
    expect(() => {
      socket.send(encodeAdvertisement(advert), '224.0.0.18');
    }).toThrow(expect.objectContaining({ step: 'closed' }) as Error);
  });

  it('waits on the event loop: more waiting receives than the libuv pool has threads leave the kernel exchanges free', async () => {
    // A worker per waiting receive would take every pool thread, and the exchange below would
    // wait for a receive to time out (a minute) before it could run.
    const poolThreads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const waiting = await Promise.all(Array.from({ length: poolThreads + 2 }, () => open(nsB)));
    const order: string[] = [];
    const receives = waiting.map((socket, i) =>
      socket.receive(60_000).then(
        () => order.push(`receive ${i}`),
        () => order.push(`closed ${i}`),
      ),
    );
    const ipvs = await Ipvs.open();
    try {
      await ipvs.listServices();
      order.push('exchange');
    } finally {
      ipvs.close();
    }
    for (const socket of waiting) socket.close();
    await Promise.all(receives);
    expect(order[0]).toBe('exchange');
    expect(order.slice(1).every((entry) => entry.startsWith('closed'))).toBe(true);
  });

  it('names the step and errno when the interface or namespace does not exist', async () => {
    await expect(native.vrrpOpen(netnsPath(nsA), 'nosuch0')).rejects.toMatchObject({
      step: 'socket',
      errno: 19, // ENODEV
    });
    await expect(native.vrrpOpen('/run/netns/nosuch-vrrp', 'eth0')).rejects.toMatchObject({
      step: 'netns-open',
    });
  });

  it('refuses a destination that is not IPv4 and a message over the largest', () => {
    expect(() => {
      a.send(encodeAdvertisement(advert), 'ff02::12');
    }).toThrow(TypeError);
    expect(() => {
      a.send(new Uint8Array(1037), '224.0.0.18');
    }).toThrow(RangeError);
  });
});
