// LVS-DR end to end, with the seed's addresses: a director with VIP 192.168.8.200 on ens33:0
// (DIP 192.168.8.10), real servers 192.168.8.20 and .30 prepared by prepareRealServer (the VIP
// on lo, arp_ignore=1 / arp_announce=2), and the client, this file's namespace, at .100 on the
// same bridge. The director is programmed only through ipvs-native; real HTTP servers answer
// their own names. Also an IPv6 service (2001:db8:8::200) over the same machines.
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
const vip6 = { protocol: 'tcp', address: '2001:db8:8::200', port: 80 } as const;
const url = 'http://192.168.8.200/';
const url6 = 'http://[2001:db8:8::200]/';
const net = new Topology('ipvs-dr');
let director: string;
let rs1: string;
let rs2: string;
let ipvs: Ipvs;

beforeAll(async () => {
  const lan = net.bridge('br-lan', ['192.168.8.100/24', '192.168.8.101/24', '2001:db8:8::100/64']);
  director = net.host('director', [
    {
      ifname: 'ens33',
      bridge: lan,
      addresses: ['192.168.8.10/24', '2001:db8:8::10/64'],
      labelled: [
        ['192.168.8.200/32', 'ens33:0'],
        ['2001:db8:8::200/128', ''],
      ],
    },
  ]);
  rs1 = net.host('rs1', [
    { ifname: 'eth0', bridge: lan, addresses: ['192.168.8.20/24', '2001:db8:8::20/64'] },
  ]);
  rs2 = net.host('rs2', [
    { ifname: 'eth0', bridge: lan, addresses: ['192.168.8.30/24', '2001:db8:8::30/64'] },
  ]);
  await Promise.all([net.httpServer(rs1, 'rs1'), net.httpServer(rs2, 'rs2')]);
  ipvs = await Ipvs.open({ netns: netnsPath(director) });
  // ipvsadm -A -t 192.168.8.200:80 -s rr; ipvsadm -a -t ... -r 192.168.8.20:80 -g -w 1 (and .30)
  await ipvs.addService({ ...vip, scheduler: 'rr' });
  await ipvs.addDestination(vip, { address: '192.168.8.20', port: 80, forward: 'dr', weight: 1 });
  await ipvs.addDestination(vip, { address: '192.168.8.30', port: 80, forward: 'dr', weight: 1 });
});

afterAll(() => {
  ipvs.close();
  net.destroy();
});

async function stats(): Promise<Stats> {
  return (await ipvs.getService(vip)).stats;
}

describe('LVS-DR, the seed', () => {
  it('finds the real servers unprepared, then prepares them as the seed does by hand', async () => {
    const before = await checkRealServer({ vip: vip.address, mode: 'dr', netns: netnsPath(rs1) });
    expect(before.map((f) => f.code).sort()).toEqual(['arp-announce', 'arp-ignore', 'vip-missing']);
    for (const rs of [rs1, rs2]) {
      const prepared = await prepareRealServer({
        vip: vip.address,
        mode: 'dr',
        netns: netnsPath(rs),
      });
      expect(prepared.changes).toEqual([
        { kind: 'address', device: 'lo', address: '192.168.8.200', prefixLength: 32 },
        { kind: 'sysctl', path: 'net/ipv4/conf/all/arp_ignore', from: '0', to: '1' },
        { kind: 'sysctl', path: 'net/ipv4/conf/all/arp_announce', from: '0', to: '2' },
        { kind: 'sysctl', path: 'net/ipv4/conf/lo/arp_ignore', from: '0', to: '1' },
        { kind: 'sysctl', path: 'net/ipv4/conf/lo/arp_announce', from: '0', to: '2' },
      ]);
      // What ip and sysctl see in that namespace.
      expect(net.exec(rs, 'ip', '-4', '-o', 'address', 'show', 'dev', 'lo')).toMatch(
        /inet 192\.168\.8\.200\/32 scope global lo:0/,
      );
      expect(
        net
          .exec(
            rs,
            'sysctl',
            '-n',
            'net.ipv4.conf.all.arp_ignore',
            'net.ipv4.conf.all.arp_announce',
            'net.ipv4.conf.lo.arp_ignore',
            'net.ipv4.conf.lo.arp_announce',
          )
          .split('\n')
          .slice(0, 4),
      ).toEqual(['1', '2', '1', '2']);
      expect(await checkRealServer({ vip: vip.address, mode: 'dr', netns: netnsPath(rs) })).toEqual(
        [],
      );
    }
    expect(
      await checkDirector({ vip: vip.address, mode: 'dr', netns: netnsPath(director) }),
    ).toEqual([]);
  });

  it('reaches the VIP, and round robin alternates between the real servers', async () => {
    const names = await requests(url, 10);
    expect(tally(names)).toEqual({ rs1: 5, rs2: 5 });
    for (let i = 1; i < names.length; i++) expect(names[i]).not.toBe(names[i - 1]);
  });

  it('answers straight from the real servers: InPkts grow, OutPkts stay 0', async () => {
    await requests(url, 6);
    // 16 connections so far: the 10 of the test before and these 6, alternating.
    const s = await poll(
      stats,
      (v) => v.conns === 16n && v.inPkts >= 16n * 3n,
      'the stats of 16 connections',
    );
    expect(s.outPkts).toBe(0n);
    expect(s.outBytes).toBe(0n);
    expect(s.inBytes).toBeGreaterThan(0n);
    const dests = await poll(
      () => ipvs.listDestinations(vip),
      (ds) => ds.every((d) => d.stats.conns === 8n),
      'destination stats',
    );
    expect(dests.every((d) => d.stats.inPkts > 0n && d.stats.outPkts === 0n)).toBe(true);
  });

  it('weighted round robin follows the weights: 3:1 over 40 requests is 30 and 10', async () => {
    await ipvs.editService({ ...vip, scheduler: 'wrr' });
    await ipvs.editDestination(vip, { address: '192.168.8.20', forward: 'dr', weight: 3 });
    await ipvs.editDestination(vip, { address: '192.168.8.30', forward: 'dr', weight: 1 });
    expect(tally(await requests(url, 40))).toEqual({ rs1: 30, rs2: 10 });
  });

  it('source hashing keeps each client on one real server', async () => {
    await ipvs.editService({ ...vip, scheduler: 'sh' });
    for (const client of ['192.168.8.100', '192.168.8.101']) {
      const names = await requests(url, 8, client);
      expect(new Set(names).size).toBe(1);
    }
  });

  it('weight 0 stops new connections to that real server', async () => {
    await ipvs.editService({ ...vip, scheduler: 'rr' });
    await ipvs.editDestination(vip, { address: '192.168.8.20', forward: 'dr', weight: 0 });
    expect(tally(await requests(url, 8))).toEqual({ rs2: 8 });
    await ipvs.editDestination(vip, { address: '192.168.8.20', forward: 'dr', weight: 1 });
    expect(tally(await requests(url, 8))).toEqual({ rs1: 4, rs2: 4 });
  });

  it('deleting a destination moves its traffic to the others', async () => {
    await ipvs.deleteDestination(vip, { address: '192.168.8.30', port: 80 });
    expect(tally(await requests(url, 6))).toEqual({ rs1: 6 });
    await ipvs.addDestination(vip, { address: '192.168.8.30', port: 80, forward: 'dr', weight: 1 });
    expect(tally(await requests(url, 6))).toEqual({ rs1: 3, rs2: 3 });
  });

  it('moves the rates while traffic flows (the estimator folds about every 2 s)', async () => {
    const flow = { on: true };
    const traffic = (async () => {
      while (flow.on) await get(url);
    })();
    try {
      const s = await poll(stats, (v) => v.cps > 0n && v.inPps > 0n && v.inBps > 0n, 'rates');
      expect(s.outPps).toBe(0n);
    } finally {
      flow.on = false;
      await traffic;
    }
  });

  it('serves an IPv6 VIP the same way', async () => {
    for (const rs of [rs1, rs2]) {
      const prepared = await prepareRealServer({
        vip: vip6.address,
        mode: 'dr',
        netns: netnsPath(rs),
      });
      expect(prepared.changes).toEqual([
        { kind: 'address', device: 'lo', address: '2001:db8:8::200', prefixLength: 128 },
      ]);
    }
    await ipvs.addService({ ...vip6, scheduler: 'rr' });
    await ipvs.addDestination(vip6, { address: '2001:db8:8::20', forward: 'dr' });
    await ipvs.addDestination(vip6, { address: '2001:db8:8::30', forward: 'dr' });
    const names = await requests(url6, 6);
    expect(tally(names)).toEqual({ rs1: 3, rs2: 3 });
    const s = await poll(
      async () => (await ipvs.getService(vip6)).stats,
      (v) => v.conns >= 6n,
      'IPv6 conns',
    );
    expect(s.inPkts).toBeGreaterThan(0n);
    expect(s.outPkts).toBe(0n);
  });
});
