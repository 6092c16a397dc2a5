// Our VRRP codec, receive checks and channels (lib/vrrp/native-network.ts) against the real peer,
// keepalived 2.2.7, packet by packet: no state machine of ours runs here (the elections are in
// test/e2e/vrrp-keepalived.test.ts). On a bridge: keepalived in one namespace as master, our
// channel in another. keepalived's advertisements (VRRPv2 and v3 over IPv4, v3 over IPv6) arrive
// on our channel and pass lib/vrrp's checks as it was configured; ours make keepalived step down
// when their priority is higher and change nothing when it is lower; bad ones (checksum, length,
// TTL or hop limit 254) change nothing.
//
// keepalived binds its multicast socket to the group and checks no TTL on unicast, so a packet
// routed to it would never meet its TTL check: a third namespace's packets leave it with TTL /
// hop limit 254 instead (tc pedit), as a router would have left them. What keepalived did is read
// from its interface (the VIPs) and confirmed by its log, which also says why it refused a packet:
// a packet that never arrived cannot pass for one refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IpFamily } from '../../lib/vrrp/address.js';
import { nativeVrrpNetwork } from '../../lib/vrrp/native-network.js';
import {
  decodeAdvertisement,
  encodeAdvertisement,
  type VrrpAdvertisement,
} from '../../lib/vrrp/packet.js';
import type { VrrpChannel } from '../../lib/vrrp/ports.js';
import {
  acceptDatagram,
  type ReceivingInstance,
  type VrrpDatagram,
} from '../../lib/vrrp/receive.js';
import { hasAddress, interfaceAddresses } from '../support/interface-addresses.js';
import { Keepalived } from '../support/keepalived.js';
import type { KeepalivedInstance } from '../support/keepalived-config.js';
import { sh } from '../support/sh.js';
import { netnsPath, poll, Topology } from '../support/topology.js';

const topology = new Topology('vka');
const channels: VrrpChannel[] = [];
const GROUP = { ipv4: '224.0.0.18', ipv6: 'ff02::12' } as const;
/** Each namespace's eth0: keepalived, us, and the one whose packets leave with TTL 254. */
const HOSTS = {
  ka: ['192.168.8.10/24', '2001:db8:8::10/64'],
  us: ['192.168.8.11/24', '2001:db8:8::11/64'],
  ttl: ['192.168.8.12/24', '2001:db8:8::12/64'],
} as const;
const VIPS = {
  ipv4: ['192.168.8.200', '192.168.8.201'],
  ipv6: ['2001:db8:8::200', '2001:db8:8::201'],
} as const;
const ns = { ka: '', us: '', ttl: '' };

beforeAll(() => {
  const lan = topology.bridge('vkabr0');
  for (const name of ['ka', 'us', 'ttl'] as const)
    ns[name] = topology.host(name, [{ ifname: 'eth0', bridge: lan, addresses: HOSTS[name] }]);
  // Every packet out of ttl's eth0 gets TTL / hop limit 254 (and IPv4 its header checksum
  // fixed): sch_clsact (sch_ingress), cls_matchall, act_pedit and act_csum, loaded on demand.
  const tc = (line: string) => sh('ip', 'netns', 'exec', ns.ttl, 'tc', ...line.split(' '));
  tc('qdisc add dev eth0 clsact');
  const egress = 'filter add dev eth0 egress';
  tc(`${egress} protocol ip matchall action pedit ex munge ip ttl set 254 pipe action csum ip`);
  tc(`${egress} protocol ipv6 matchall action pedit ex munge ip6 hoplimit set 254`);
});

afterAll(() => {
  for (const channel of channels) channel.close();
  topology.destroy();
});

/** The address a VRRP packet of `family` leaves `host` from: IPv4 primary, IPv6 link-local. */
async function sourceOf(host: keyof typeof ns, family: IpFamily): Promise<string> {
  if (family === 'ipv4') return HOSTS[host][0].split('/')[0] as string;
  // IPv6 VRRP is sent from the link-local address, once duplicate address detection is done.
  const [linkLocal] = await poll(
    async () =>
      (await interfaceAddresses(ns[host], 'eth0')).filter(
        (a) => a.address.startsWith('fe80:') && !a.tentative,
      ),
    (list) => list.length > 0,
    `a usable link-local address in ${host}`,
  );
  return linkLocal?.address ?? '';
}

/** The next datagram from `source` on `channel` (others, e.g. the TTL-254 sender's, skipped). */
async function nextFrom(channel: VrrpChannel, source: string): Promise<VrrpDatagram> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    const datagram = await channel.receive(Math.max(1, until - Date.now()));
    if (datagram?.source === source) return datagram;
  }
  throw new Error(`no VRRP datagram from ${source} in 20 s`);
}

/** Throws away what `channel` holds (adverts of a keepalived stopped since, for one). */
async function drain(channel: VrrpChannel): Promise<void> {
  while ((await channel.receive(1)) !== null);
}

interface Case {
  version: 2 | 3;
  family: IpFamily;
  /** Centiseconds: v3 at 50, keepalived's sub-second intervals, which v2 cannot carry. */
  interval: number;
}

const CASES: Case[] = [
  { version: 2, family: 'ipv4', interval: 100 },
  { version: 3, family: 'ipv4', interval: 50 },
  { version: 3, family: 'ipv6', interval: 50 },
];

for (const { version, family, interval } of CASES) {
  const vips = VIPS[family];
  const group = GROUP[family];
  const hostVips = (held: boolean) =>
    poll(
      () => Promise.all(vips.map((vip) => hasAddress(ns.ka, 'eth0', vip))),
      (on) => on.every((h) => h === held),
      `keepalived ${held ? 'to hold' : 'to remove'} ${vips.join(', ')}`,
    );

  describe(`VRRPv${version} over ${family === 'ipv4' ? 'IPv4' : 'IPv6'} with keepalived`, () => {
    let keepalived: Keepalived;
    let us: VrrpChannel;
    let skewed: VrrpChannel;
    const address = { ka: '', us: '', ttl: '' };
    let receiving: ReceivingInstance;

    const ours = (priority: number): VrrpAdvertisement => ({
      version,
      family,
      virtualRouterId: 51,
      priority,
      intervalCentiseconds: interval,
      addresses: vips,
    });
    /** Our advertisement as `from` sends it to the group (v3's checksum covers both). */
    const encode = (priority: number, from: 'us' | 'ttl' = 'us') =>
      encodeAdvertisement(ours(priority), { source: address[from], destination: group });

    /**
     * After what was sent at log mark `mark`: keepalived logged `reason`, still holds the VIPs,
     * never entered BACKUP, and its next advertisement still says priority 150.
     */
    async function expectNothingChanged(mark: number, reason: RegExp): Promise<void> {
      await keepalived.waitForLog(reason, mark);
      await drain(us);
      const next = await nextFrom(us, address.ka);
      expect(decodeAdvertisement(next.payload, { family, ...next })).toMatchObject({
        ok: true,
        advertisement: { priority: 150 },
      });
      for (const vip of vips) expect(await hasAddress(ns.ka, 'eth0', vip)).toBe(true);
      expect(keepalived.log.slice(mark).filter((l) => /Entering BACKUP STATE/.test(l))).toEqual([]);
    }

    beforeAll(async () => {
      for (const host of ['ka', 'us', 'ttl'] as const) address[host] = await sourceOf(host, family);
      us = await nativeVrrpNetwork.openChannel(netnsPath(ns.us), 'eth0', family);
      skewed = await nativeVrrpNetwork.openChannel(netnsPath(ns.ttl), 'eth0', family);
      channels.push(us, skewed);
      receiving = {
        version,
        family,
        virtualRouterId: 51,
        intervalCentiseconds: interval,
        primaryAddress: address.us,
        addresses: vips,
      };
      const config: KeepalivedInstance = {
        name: `VI_${version}_${family}`,
        interface: 'eth0',
        virtualRouterId: 51,
        priority: 150,
        version,
        advertisementInterval: interval / 100,
        virtualAddresses: vips.map((vip) => `${vip}/${family === 'ipv4' ? 24 : 64}`),
      };
      keepalived = new Keepalived(ns.ka, config);
      await hostVips(true);
      await drain(us);
    });

    afterAll(async () => {
      // (closed channels are closed again by the file's afterAll: close() is idempotent)
      await (keepalived as Keepalived | undefined)?.destroy();
    });

    it("keepalived's advertisements arrive on our channel and pass our receive checks", async () => {
      const datagram = await nextFrom(us, address.ka);
      expect(datagram).toMatchObject({ destination: group, ttl: 255 });
      expect(acceptDatagram(datagram, receiving)).toEqual({
        ok: true,
        advertisement: { priority: 150, intervalCentiseconds: interval, source: address.ka },
        addressesMatch: true,
      });
      expect(decodeAdvertisement(datagram.payload, { family, ...datagram })).toEqual({
        ok: true,
        advertisement: {
          ...ours(150),
          ...(version === 2 ? { auth: { type: 0, data: new Uint8Array(8) } } : {}),
        },
      });
    });

    it('a lower priority from us changes nothing: keepalived re-advertises and stays master', async () => {
      const mark = keepalived.logLength;
      us.send(encode(100), group);
      await expectNothingChanged(
        mark,
        new RegExp(`advert from ${address.us} with lower priority 100, ours 150`),
      );
    });

    it('a malformed advertisement changes nothing', async () => {
      if (family === 'ipv4') {
        // Over IPv6 the kernel writes the checksum (IPV6_CHECKSUM) and drops bad ones itself.
        const bad = encode(254);
        bad.writeUInt16BE(bad.readUInt16BE(6) ^ 0x5a5a, 6);
        const mark = keepalived.logLength;
        us.send(bad, group);
        await expectNothingChanged(mark, new RegExp(`Invalid VRRPv${version} checksum`));
      }
      const mark = keepalived.logLength;
      us.send(encode(254).subarray(0, 12), group);
      await expectNothingChanged(mark, /vrrp packet too short/);
    });

    it('an advertisement with TTL 254, as if it had crossed a router, changes nothing', async () => {
      const mark = keepalived.logLength;
      skewed.send(encode(254, 'ttl'), group);
      // Our own receive check refuses it too, before anything else.
      const arrived = await nextFrom(us, address.ttl);
      expect(arrived.ttl).toBe(254);
      expect(acceptDatagram(arrived, receiving)).toMatchObject({ ok: false, reason: 'ttl' });
      await expectNothingChanged(mark, /invalid TTL\/HL\. Received 254 and expect 255/);
    });

    it('a higher priority from us makes keepalived step down and remove its VIPs', async () => {
      const mark = keepalived.logLength;
      us.send(encode(200), group);
      await keepalived.waitForLog(
        new RegExp(`advert from ${address.us} with higher priority 200, ours 150`),
        mark,
      );
      await keepalived.waitForLog(/Entering BACKUP STATE/, mark);
      await hostVips(false);
    });
  });
}
