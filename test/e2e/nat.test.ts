// LVS-NAT end to end: the client (this file's namespace, 192.168.8.100) on the LAN with the
// director (ens33 192.168.8.10, VIP 192.168.8.200 on ens33:0); the real servers 10.0.0.20 and
// .30 on an inside segment behind the director (ens34 10.0.0.1), their default route via it, and
// ip_forward on. VIP port 80 is mapped to the real servers' port 8080. Replies pass back through
// the director, which translates them: OutPkts grow with InPkts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDirector, checkRealServer, Ipvs, type Stats } from '../../lib/index.js';
import { get, netnsPath, poll, requests, tally, Topology } from '../support/topology.js';

const vip = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;
const url = 'http://192.168.8.200/';
const net = new Topology('ipvs-nat');
let director: string;
let rs1: string;
let rs2: string;
let ipvs: Ipvs;

beforeAll(async () => {
  const lan = net.bridge('br-lan', ['192.168.8.100/24']);
  const inside = net.bridge('br-in');
  director = net.host('director', [
    {
      ifname: 'ens33',
      bridge: lan,
      addresses: ['192.168.8.10/24'],
      labelled: [['192.168.8.200/32', 'ens33:0']],
    },
    { ifname: 'ens34', bridge: inside, addresses: ['10.0.0.1/24'] },
  ]);
  rs1 = net.host('rs1', [{ ifname: 'eth0', bridge: inside, addresses: ['10.0.0.20/24'] }]);
  rs2 = net.host('rs2', [{ ifname: 'eth0', bridge: inside, addresses: ['10.0.0.30/24'] }]);
  await Promise.all([net.httpServer(rs1, 'rs1', 8080), net.httpServer(rs2, 'rs2', 8080)]);
  ipvs = await Ipvs.open({ netns: netnsPath(director) });
  await ipvs.addService({ ...vip, scheduler: 'rr' });
  await ipvs.addDestination(vip, { address: '10.0.0.20', port: 8080, forward: 'nat' });
  await ipvs.addDestination(vip, { address: '10.0.0.30', port: 8080, forward: 'nat' });
});

afterAll(() => {
  ipvs.close();
  net.destroy();
});

async function stats(): Promise<Stats> {
  return (await ipvs.getService(vip)).stats;
}

describe('LVS-NAT', () => {
  it("finds what NAT needs missing: forwarding on the director, the real servers' route back", async () => {
    expect(
      (await checkDirector({ vip: vip.address, mode: 'nat', netns: netnsPath(director) })).map(
        (f) => f.code,
      ),
    ).toEqual(['ip-forward-off']);
    for (const rs of [rs1, rs2]) {
      const [finding, ...rest] = await checkRealServer({
        vip: vip.address,
        mode: 'nat',
        director: '10.0.0.1',
        netns: netnsPath(rs),
      });
      expect(rest).toEqual([]);
      expect(finding?.code).toBe('default-route');
      expect(finding?.message).toContain('it has no default route');
      expect(finding?.fix).toBe('ip route replace default via 10.0.0.1');
    }
  });

  it('gets no answer through the VIP until they are fixed', async () => {
    // The real servers cannot route their SYN-ACKs back: the connection never completes.
    await expect(get(url, undefined, 3000)).rejects.toThrow(/timeout/);
  });

  it('reaches the real servers through the VIP with port mapping once fixed, alternating', async () => {
    net.exec(director, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    for (const rs of [rs1, rs2])
      net.exec(rs, 'ip', 'route', 'replace', 'default', 'via', '10.0.0.1');
    expect(
      await checkDirector({ vip: vip.address, mode: 'nat', netns: netnsPath(director) }),
    ).toEqual([]);
    for (const rs of [rs1, rs2])
      expect(
        await checkRealServer({
          vip: vip.address,
          mode: 'nat',
          director: '10.0.0.1',
          netns: netnsPath(rs),
        }),
      ).toEqual([]);
    await ipvs.zero(vip);
    const names = await requests(url, 10);
    expect(tally(names)).toEqual({ rs1: 5, rs2: 5 });
    for (let i = 1; i < names.length; i++) expect(names[i]).not.toBe(names[i - 1]);
  });

  it('passes the replies through the director: OutPkts grow with InPkts', async () => {
    const s = await poll(stats, (v) => v.conns >= 10n && v.outPkts > 0n, 'replies counted');
    expect(s.inPkts).toBeGreaterThan(0n);
    expect(s.outBytes).toBeGreaterThan(0n);
    const connections = await ipvs.listConnections();
    expect(connections.length).toBeGreaterThanOrEqual(10);
    for (const c of connections) expect(c.destination.port).toBe(8080);
  });

  it('moves the rates in both directions while traffic flows', async () => {
    const flow = { on: true };
    const traffic = (async () => {
      while (flow.on) await get(url);
    })();
    try {
      await poll(
        stats,
        (v) => v.cps > 0n && v.inPps > 0n && v.outPps > 0n && v.outBps > 0n,
        'rates',
      );
    } finally {
      flow.on = false;
      await traffic;
    }
  });

  it('weight 0 stops new connections, deleting a destination moves the traffic', async () => {
    await ipvs.editDestination(vip, {
      address: '10.0.0.30',
      port: 8080,
      forward: 'nat',
      weight: 0,
    });
    expect(tally(await requests(url, 6))).toEqual({ rs1: 6 });
    await ipvs.editDestination(vip, {
      address: '10.0.0.30',
      port: 8080,
      forward: 'nat',
      weight: 1,
    });
    await ipvs.deleteDestination(vip, { address: '10.0.0.20', port: 8080 });
    expect(tally(await requests(url, 6))).toEqual({ rs2: 6 });
  });
});
