// Our VRRP codec and receive checks against the real peer, keepalived 2.2.7, packet by packet (no
// state machine of ours runs here: test/e2e/vrrp-keepalived.test.ts has the elections). On a
// bridge: keepalived in one namespace as master, our VRRP socket in another. keepalived's
// advertisements (v2 and v3 over IPv4) arrive on our socket and pass lib/vrrp's checks as it
// was configured; ours make keepalived step down when their priority is higher and change
// nothing when it is lower, and bad ones (checksum, length, TTL 254) change nothing. keepalived
// binds its multicast socket to 224.0.0.18 and checks no TTL on unicast, so a packet routed to it
// would never meet its TTL check: the TTL is rewritten on the way out of a sender's namespace
// instead (tc pedit), as a router would have left it. What keepalived did is read from its interface (the VIP) and confirmed by its log (which
// also says why it refused a packet, so a packet that never arrived cannot pass for one refused).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNative } from '../../lib/kernel/binding.js';
import type { NativeVrrpDatagram, NativeVrrpSocket } from '../../lib/kernel/native.js';
import {
  decodeAdvertisement,
  encodeAdvertisement,
  type VrrpAdvertisement,
} from '../../lib/vrrp/packet.js';
import { acceptDatagram, type ReceivingInstance } from '../../lib/vrrp/receive.js';
import { hasAddress } from '../support/interface-addresses.js';
import { Keepalived } from '../support/keepalived.js';
import type { KeepalivedInstance } from '../support/keepalived-config.js';
import { sh } from '../support/sh.js';
import { netnsPath, poll, Topology } from '../support/topology.js';

const native = loadNative();
const topology = new Topology('vka');
const sockets: NativeVrrpSocket[] = [];
const GROUP = '224.0.0.18';
const KEEPALIVED = '192.168.8.10';
const US = '192.168.8.11';
const SKEWED = '192.168.8.12';
const VIPS = ['192.168.8.200', '192.168.8.201'];
let nsKa: string;
let nsUs: string;
let nsSkewed: string;
/** Our socket on the bridge, and one whose packets leave their namespace with TTL 254. */
let us: NativeVrrpSocket;
let skewed: NativeVrrpSocket;

beforeAll(async () => {
  const lan = topology.bridge('vkabr0');
  nsKa = topology.host('ka', [{ ifname: 'eth0', bridge: lan, addresses: [`${KEEPALIVED}/24`] }]);
  nsUs = topology.host('us', [{ ifname: 'eth0', bridge: lan, addresses: [`${US}/24`] }]);
  nsSkewed = topology.host('ttl', [{ ifname: 'eth0', bridge: lan, addresses: [`${SKEWED}/24`] }]);
  // Every IPv4 packet out of eth0 gets TTL 254 (and its header checksum fixed): sch_clsact,
  // cls_matchall, act_pedit and act_csum, which the kernel loads on demand.
  const tc = (...args: string[]) => sh('ip', 'netns', 'exec', nsSkewed, 'tc', ...args);
  tc('qdisc', 'add', 'dev', 'eth0', 'clsact');
  tc(
    ...'filter add dev eth0 egress protocol ip matchall action pedit ex munge ip ttl set 254 pipe action csum ip'.split(
      ' ',
    ),
  );
  us = await native.vrrpOpen(netnsPath(nsUs), 'eth0');
  skewed = await native.vrrpOpen(netnsPath(nsSkewed), 'eth0');
  sockets.push(us, skewed);
});

afterAll(() => {
  for (const socket of sockets) socket.close();
  topology.destroy();
});

/** The next datagram from `source` on `socket` (others, e.g. our own hop's, are skipped). */
async function nextFrom(socket: NativeVrrpSocket, source: string): Promise<NativeVrrpDatagram> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    const datagram = await socket.receive(Math.max(1, until - Date.now()));
    if (datagram?.source === source) return datagram;
  }
  throw new Error(`no VRRP datagram from ${source} in 20 s`);
}

/** Throws away what `socket` holds: adverts of a keepalived stopped since, our own hop's. */
async function drain(socket: NativeVrrpSocket): Promise<void> {
  while ((await socket.receive(1)) !== null);
}

/** keepalived started as the only router, so that it becomes master and holds the VIPs. */
async function masterKeepalived(instance: KeepalivedInstance): Promise<Keepalived> {
  const keepalived = new Keepalived(nsKa, instance);
  await poll(
    () => Promise.all(VIPS.map((vip) => hasAddress(nsKa, 'eth0', vip))),
    (held) => held.every(Boolean),
    `keepalived to become master and add ${VIPS.join(', ')}\n${keepalived.tail()}`,
  );
  await drain(us);
  return keepalived;
}

/**
 * After `send` at log mark `mark`: keepalived logged `reason` for it, still holds the VIPs, never
 * entered BACKUP, and its next advertisement still says priority 150.
 */
async function expectNothingChanged(keepalived: Keepalived, mark: number, reason: RegExp) {
  await keepalived.waitForLog(reason, mark);
  await drain(us);
  const next = await nextFrom(us, KEEPALIVED);
  const decoded = decodeAdvertisement(next.payload, { family: 'ipv4', ...next });
  expect(decoded).toMatchObject({ ok: true, advertisement: { priority: 150 } });
  for (const vip of VIPS) expect(await hasAddress(nsKa, 'eth0', vip)).toBe(true);
  expect(keepalived.log.slice(mark).filter((l) => /Entering BACKUP STATE/.test(l))).toEqual([]);
}

for (const version of [2, 3] as const) {
  // v3 at 50 centiseconds: keepalived's sub-second intervals, which v2 cannot carry.
  const intervalCentiseconds = version === 2 ? 100 : 50;
  const config: KeepalivedInstance = {
    name: `VI_${version}`,
    interface: 'eth0',
    virtualRouterId: 51,
    priority: 150,
    version,
    advertisementInterval: intervalCentiseconds / 100,
    virtualAddresses: VIPS.map((vip) => `${vip}/24`),
  };
  const ours = (priority: number): VrrpAdvertisement => ({
    version,
    family: 'ipv4',
    virtualRouterId: 51,
    priority,
    intervalCentiseconds,
    addresses: VIPS,
  });
  const receiving: ReceivingInstance = {
    version,
    family: 'ipv4',
    virtualRouterId: 51,
    intervalCentiseconds,
    primaryAddress: US,
    addresses: VIPS,
  };
  const encode = (advert: VrrpAdvertisement, source: string, destination: string) =>
    encodeAdvertisement(advert, { source, destination });

  describe(`VRRPv${version} over IPv4 with keepalived`, () => {
    let keepalived: Keepalived;

    beforeAll(async () => {
      keepalived = await masterKeepalived(config);
    });

    afterAll(async () => {
      await keepalived.destroy();
    });

    it("keepalived's advertisements arrive on our socket and pass our receive checks", async () => {
      const datagram = await nextFrom(us, KEEPALIVED);
      expect(datagram).toMatchObject({ destination: GROUP, ttl: 255, ifindex: us.ifindex });
      expect(acceptDatagram(datagram, receiving)).toEqual({
        ok: true,
        advertisement: { priority: 150, intervalCentiseconds, source: KEEPALIVED },
        addressesMatch: true,
      });
      const decoded = decodeAdvertisement(datagram.payload, { family: 'ipv4', ...datagram });
      expect(decoded).toEqual({
        ok: true,
        advertisement: {
          ...ours(150),
          ...(version === 2 ? { auth: { type: 0, data: new Uint8Array(8) } } : {}),
        },
      });
    });

    it('a lower priority from us changes nothing: keepalived re-advertises and stays master', async () => {
      const mark = keepalived.logLength;
      us.send(encode(ours(100), US, GROUP), GROUP);
      await expectNothingChanged(
        keepalived,
        mark,
        new RegExp(`advert from ${US} with lower priority 100, ours 150`),
      );
    });

    it('a malformed advertisement changes nothing: bad checksum, then short', async () => {
      const badChecksum = encode(ours(254), US, GROUP);
      badChecksum.writeUInt16BE(badChecksum.readUInt16BE(6) ^ 0x5a5a, 6);
      let mark = keepalived.logLength;
      us.send(badChecksum, GROUP);
      await expectNothingChanged(keepalived, mark, new RegExp(`Invalid VRRPv${version} checksum`));

      mark = keepalived.logLength;
      us.send(encode(ours(254), US, GROUP).subarray(0, 12), GROUP);
      await expectNothingChanged(keepalived, mark, /vrrp packet too short/);
    });

    it('an advertisement with TTL 254, as if it had crossed a router, changes nothing', async () => {
      const mark = keepalived.logLength;
      skewed.send(encode(ours(254), SKEWED, GROUP), GROUP);
      // Our own receive check refuses it too, before anything else.
      const arrived = await nextFrom(us, SKEWED);
      expect(arrived.ttl).toBe(254);
      expect(acceptDatagram(arrived, receiving)).toMatchObject({ ok: false, reason: 'ttl' });
      await expectNothingChanged(keepalived, mark, /invalid TTL\/HL\. Received 254 and expect 255/);
    });

    it('a higher priority from us makes keepalived step down and remove its VIPs', async () => {
      const mark = keepalived.logLength;
      us.send(encode(ours(200), US, GROUP), GROUP);
      await keepalived.waitForLog(
        new RegExp(`advert from ${US} with higher priority 200, ours 150`),
        mark,
      );
      await keepalived.waitForLog(/Entering BACKUP STATE/, mark);
      await poll(
        () => Promise.all(VIPS.map((vip) => hasAddress(nsKa, 'eth0', vip))),
        (held) => held.every((h) => !h),
        'keepalived to remove its VIPs',
        10,
      );
    });
  });
}
