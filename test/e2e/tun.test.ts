// LVS-TUN end to end: the director (ens33 192.168.8.10, VIP 192.168.8.200 on ens33:0) wraps the
// clients' packets in IP-in-IP to the real servers 192.168.8.20 and .30, which hold the VIP on
// tunl0, as prepareRealServer({ mode: 'tun' }) sets them up, and answer the client directly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkDirector,
  checkRealServer,
  Ipvs,
  prepareRealServer,
  type Stats,
} from '../../lib/index.js';
import { get, netnsPath, poll, requests, tally, Topology } from '../support/topology.js';

const vip = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;
const url = 'http://192.168.8.200/';
const net = new Topology('ipvs-tun');
let director: string;
let rs1: string;
let rs2: string;
let ipvs: Ipvs;

beforeAll(async () => {
  const lan = net.bridge('br-lan', ['192.168.8.100/24']);
  director = net.host('director', [
    {
      ifname: 'ens33',
      bridge: lan,
      addresses: ['192.168.8.10/24'],
      labelled: [['192.168.8.200/32', 'ens33:0']],
    },
  ]);
  rs1 = net.host('rs1', [{ ifname: 'eth0', bridge: lan, addresses: ['192.168.8.20/24'] }]);
  rs2 = net.host('rs2', [{ ifname: 'eth0', bridge: lan, addresses: ['192.168.8.30/24'] }]);
  // Strict reverse-path filtering, as many distributions set it: the preparation must turn it off.
  for (const rs of [rs1, rs2]) net.exec(rs, 'sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=1');
  await Promise.all([net.httpServer(rs1, 'rs1'), net.httpServer(rs2, 'rs2')]);
  ipvs = await Ipvs.open({ netns: netnsPath(director) });
  await ipvs.addService({ ...vip, scheduler: 'rr' });
  await ipvs.addDestination(vip, { address: '192.168.8.20', forward: 'tun' });
  await ipvs.addDestination(vip, { address: '192.168.8.30', forward: 'tun' });
});

afterAll(() => {
  ipvs.close();
  net.destroy();
});

async function stats(): Promise<Stats> {
  return (await ipvs.getService(vip)).stats;
}

describe('LVS-TUN', () => {
  it('prepares the real servers: tunl0 up with the VIP, rp_filter off, ARP hidden', async () => {
    expect(
      await checkDirector({ vip: vip.address, mode: 'tun', netns: netnsPath(director) }),
    ).toEqual([]);
    for (const rs of [rs1, rs2]) {
      const before = await checkRealServer({ vip: vip.address, mode: 'tun', netns: netnsPath(rs) });
      expect(before.map((f) => f.code).sort()).toEqual([
        'arp-announce',
        'arp-ignore',
        'rp-filter',
        'tunl0-down',
        'vip-missing',
      ]);
      const prepared = await prepareRealServer({
        vip: vip.address,
        mode: 'tun',
        netns: netnsPath(rs),
      });
      expect(prepared.changes).toEqual([
        { kind: 'link-up', device: 'tunl0' },
        { kind: 'address', device: 'tunl0', address: '192.168.8.200', prefixLength: 32 },
        { kind: 'sysctl', path: 'net/ipv4/conf/all/arp_ignore', from: '0', to: '1' },
        { kind: 'sysctl', path: 'net/ipv4/conf/all/arp_announce', from: '0', to: '2' },
        { kind: 'sysctl', path: 'net/ipv4/conf/tunl0/arp_ignore', from: '0', to: '1' },
        { kind: 'sysctl', path: 'net/ipv4/conf/tunl0/arp_announce', from: '0', to: '2' },
        { kind: 'sysctl', path: 'net/ipv4/conf/all/rp_filter', from: '1', to: '0' },
      ]);
      expect(net.exec(rs, 'ip', '-o', 'link', 'show', 'tunl0')).toMatch(/<NOARP,UP,LOWER_UP>/);
      expect(net.exec(rs, 'ip', '-4', '-o', 'address', 'show', 'dev', 'tunl0')).toMatch(
        /inet 192\.168\.8\.200\/32/,
      );
      expect(
        await checkRealServer({ vip: vip.address, mode: 'tun', netns: netnsPath(rs) }),
      ).toEqual([]);
    }
  });

  it('reaches the VIP through the tunnel, round robin alternating', async () => {
    const names = await requests(url, 10);
    expect(tally(names)).toEqual({ rs1: 5, rs2: 5 });
    for (let i = 1; i < names.length; i++) expect(names[i]).not.toBe(names[i - 1]);
  });

  it('answers straight from the real servers: InPkts grow, OutPkts stay 0, rates move', async () => {
    const flow = { on: true };
    const traffic = (async () => {
      while (flow.on) await get(url);
    })();
    try {
      const s = await poll(
        stats,
        (v) => v.conns > 10n && v.cps > 0n && v.inPps > 0n,
        'stats and rates',
      );
      expect(s.inPkts).toBeGreaterThan(0n);
      expect(s.outPkts).toBe(0n);
      expect(s.outPps).toBe(0n);
    } finally {
      flow.on = false;
      await traffic;
    }
  });

  it('deleting a destination moves its traffic', async () => {
    await ipvs.deleteDestination(vip, { address: '192.168.8.20', port: 80 });
    expect(tally(await requests(url, 4))).toEqual({ rs2: 4 });
  });
});
