// `ipvs serve` with a `vrrp` instance against keepalived 2.2.7, the peer operators run today, on
// one bridge: keepalived in namespace ka (192.168.8.10), ipvs serve in namespace ours
// (192.168.8.11), and this file's namespace as the client (192.168.8.1, and the bridge where
// tcpdump captures everything). Each director answers HTTP on the VIP with its name, so a GET
// from the client says who holds the VIP as the client's ARP or neighbour cache sees it.
//
// Timing is checked against RFC 5798 from the capture's own timestamps: a backup takes over no
// sooner than Master_Down_Interval (3 x interval + skew, skew = (256 - priority) / 256 x
// interval) after the last advertisement it heard, and after a clean stop (priority 0) within
// about one skew time. The upper bounds add TCG_MARGIN: room for QEMU without hardware
// virtualisation to be slow, not a claim about speed.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAdvertisement, type VrrpAdvertisement } from '../../lib/vrrp/packet.js';
import { hasAddress } from '../support/interface-addresses.js';
import { Keepalived } from '../support/keepalived.js';
import type { KeepalivedInstance } from '../support/keepalived-config.js';
import { ServeProcess } from '../support/ipvs-serve.js';
import { PacketCapture, VRRP_AND_ANNOUNCEMENTS, vrrpPackets } from '../support/packet-capture.js';
import { ipv6, type ArpPacket, type IpPacket } from '../support/pcap.js';
import { sh } from '../support/sh.js';
import { get, poll, Topology } from '../support/topology.js';

/** Seconds added to RFC upper bounds for TCG (see above). */
const TCG_MARGIN = 2;
/** How long `ipvs serve` may take to start (node under a loaded TCG guest), and its tests. */
const START_SECONDS = 200;
const STARTING_TEST_MS = 280_000;
const BRIDGE = 'vkebr0';
const KA = { v4: '192.168.8.10', v6: '2001:db8:8::10' };
const OURS = { v4: '192.168.8.11', v6: '2001:db8:8::11' };
const VIP = { v4: '192.168.8.200', v6: '2001:db8:8::200' };
const topology = new Topology('vke');
let nsKa: string;
let nsOurs: string;
let capture: PacketCapture;
const macs = { ka: '', ours: '' };
const running: Array<Keepalived | ServeProcess> = [];
const takeovers: Array<{ what: string; seconds: number; bound: number }> = [];

function macOf(ns: string): string {
  const [link] = JSON.parse(sh('ip', '-n', ns, '-j', 'link', 'show', 'eth0')) as Array<{
    address: string;
  }>;
  return link?.address ?? '';
}

/** The bridge port (in this namespace) that the veth to `ns`'s eth0 is plugged into. */
function bridgePort(ns: string): string {
  const [inner] = JSON.parse(sh('ip', '-n', ns, '-j', 'link', 'show', 'eth0')) as Array<{
    link_index: number;
  }>;
  const ports = JSON.parse(sh('ip', '-j', 'link', 'show', 'master', BRIDGE)) as Array<{
    ifindex: number;
    ifname: string;
  }>;
  const port = ports.find((p) => p.ifindex === inner?.link_index);
  if (!port) throw new Error(`no port of ${BRIDGE} leads to ${ns}`);
  return port.ifname;
}

beforeAll(async () => {
  topology.bridge(BRIDGE, ['192.168.8.1/24', '2001:db8:8::1/64']);
  for (const [name, own] of [
    ['ka', KA],
    ['ours', OURS],
  ] as const) {
    const ns = topology.host(name, [
      { ifname: 'eth0', bridge: BRIDGE, addresses: [`${own.v4}/24`, `${own.v6}/64`] },
    ]);
    await topology.httpServer(ns, name === 'ka' ? 'keepalived' : 'ours');
    if (name === 'ka') nsKa = ns;
    else nsOurs = ns;
  }
  macs.ka = macOf(nsKa);
  macs.ours = macOf(nsOurs);
  capture = await PacketCapture.start(undefined, BRIDGE, VRRP_AND_ANNOUNCEMENTS);
});

afterAll(async () => {
  // The measured takeovers, for the record (the bounds are asserted in the tests).
  for (const t of takeovers)
    console.log(`takeover ${t.what}: ${t.seconds.toFixed(3)} s (RFC: ${t.bound.toFixed(3)} s)`);
  await capture.stop();
  topology.destroy();
});

const isState = (state: string) => (r: Record<string, unknown>) =>
  r.event === 'vrrp-state' && r.state === state;

interface Instance {
  version: 2 | 3;
  /** Centiseconds. */
  interval: number;
  priority: number;
  preempt?: boolean;
  family?: 'v4' | 'v6';
  /** Unicast to the other director instead of multicast. */
  unicast?: boolean;
}

function startKeepalived(instance: Instance): Keepalived {
  const family = instance.family ?? 'v4';
  const config: KeepalivedInstance = {
    name: 'VI_1',
    interface: 'eth0',
    virtualRouterId: 51,
    priority: instance.priority,
    version: instance.version,
    advertisementInterval: instance.interval / 100,
    virtualAddresses: [family === 'v4' ? `${VIP.v4}/24` : `${VIP.v6}/64`],
    ...(instance.preempt === false ? { preempt: false } : {}),
    ...(instance.unicast ? { unicast: { source: KA.v4, peers: [OURS.v4] } } : {}),
  };
  const keepalived = new Keepalived(nsKa, config);
  running.push(keepalived);
  return keepalived;
}

/** The `ipvs serve` config: no services, one VRRP instance (issue 12's field names). */
function oursConfig(instance: Instance): string {
  const family = instance.family ?? 'v4';
  return `services: []
vrrp:
  - name: VI_1
    interface: eth0
    virtualRouterId: 51
    priority: ${instance.priority}
    advertisementInterval: ${instance.interval * 10}ms
    version: ${instance.version}
    preempt: ${instance.preempt ?? true}
    preemptDelay: 0s
    virtualAddresses: ['${family === 'v4' ? `${VIP.v4}/24` : `${VIP.v6}/64`}']
    unicastPeers: [${instance.unicast ? `'${KA.v4}'` : ''}]
`;
}

/**
 * Starts `ipvs serve` and waits for its instance's first state. Starting node under TCG, with the
 * other suites' guests on the same cores, took 30-50 s in the lab (see health-cli.test.ts): the
 * file starts it twice (once more only because a clean stop ends the first), and changes its
 * instance by reload (SIGHUP) for everything else: priority live, the rest by instance restart.
 */
async function startOurs(instance: Instance, first: 'backup' | 'master'): Promise<ServeProcess> {
  const serve = new ServeProcess(nsOurs, oursConfig(instance));
  running.push(serve);
  await serve.waitForLog(isState(first), first, { seconds: START_SECONDS });
  return serve;
}

/** Polls until the VIP is on `holder`'s eth0 and not on the other's. */
async function vipHeldBy(holder: 'ka' | 'ours', family: 'v4' | 'v6' = 'v4'): Promise<void> {
  const [on, off] = holder === 'ka' ? [nsKa, nsOurs] : [nsOurs, nsKa];
  await poll(
    () => Promise.all([hasAddress(on, 'eth0', VIP[family]), hasAddress(off, 'eth0', VIP[family])]),
    ([here, there]) => here && !there,
    `${VIP[family]} on ${holder} only`,
    30,
  );
}

/**
 * What the client reaches at the VIP: the name of the director that answers HTTP, or the error
 * (while nobody answers), so that it can be polled.
 */
async function whoAnswers(family: 'v4' | 'v6' = 'v4'): Promise<string> {
  const url = family === 'v4' ? `http://${VIP.v4}/` : `http://[${VIP.v6}]/`;
  try {
    return await get(url, undefined, 3000);
  } catch (error) {
    return `no answer: ${error instanceof Error ? error.message : String(error)}`;
  }
}

interface Advert {
  packet: IpPacket;
  advert: VrrpAdvertisement;
}

/** The VRRP advertisements captured from `source` since `since` (epoch seconds), decoded. */
function advertsFrom(source: string, since: number): Advert[] {
  return vrrpPackets(capture.frames())
    .filter((p) => p.source === source && p.time >= since)
    .map((packet) => {
      const decoded = decodeAdvertisement(packet.payload, packet);
      if (!decoded.ok) throw new Error(`undecodable advert from ${source}: ${decoded.detail}`);
      return { packet, advert: decoded.advertisement };
    });
}

/** The first advertisement from `source` at or after `since` that `match` accepts, polled. */
async function firstAdvert(
  source: string,
  since: number,
  match: (a: VrrpAdvertisement) => boolean,
  what: string,
): Promise<Advert> {
  const found = await poll(
    () => Promise.resolve(advertsFrom(source, since).filter((a) => match(a.advert))),
    (list) => list.length > 0,
    what,
    30,
  );
  return found[0] as Advert;
}

/** The last advertisement from `source` before `until` (epoch seconds). */
function lastAdvertBefore(source: string, until: number): Advert {
  const before = advertsFrom(source, 0).filter((a) => a.packet.time < until);
  const last = before.at(-1);
  if (!last) throw new Error(`no advertisement from ${source} was captured`);
  return last;
}

/** The gratuitous ARPs for `address` from `mac` since `since`. */
function gratuitousArps(address: string, mac: string, since: number): ArpPacket[] {
  return capture
    .frames()
    .filter(
      (f): f is ArpPacket =>
        f.kind === 'arp' &&
        f.time >= since &&
        f.senderIp === address &&
        f.targetIp === address &&
        f.senderMac === mac,
    );
}

/** RFC 5798: Master_Down_Interval and Skew_Time, in seconds, for a backup of this priority. */
function timers(priority: number, intervalCentiseconds: number) {
  const interval = intervalCentiseconds / 100;
  const skew = ((256 - priority) * interval) / 256;
  return { skew, masterDown: 3 * interval + skew };
}

const now = () => Date.now() / 1000;

function neighbour(address: string): Promise<string | undefined> {
  const entries = JSON.parse(
    sh('ip', '-6', '-j', 'neigh', 'show', address, 'dev', BRIDGE),
  ) as Array<{ lladdr?: string }>;
  return Promise.resolve(entries[0]?.lladdr);
}

/** Stops whatever the last block left running and the addresses a crash left behind. */
async function cleanUp(): Promise<void> {
  for (const peer of running.splice(0)) await peer.destroy();
  for (const ns of [nsKa, nsOurs]) dropVips(ns);
}

/** A crashed director's addresses go with its machine: removed by hand here. */
function dropVips(ns: string): void {
  for (const vip of [`${VIP.v4}/24`, `${VIP.v6}/64`])
    try {
      execFileSync('ip', ['-n', ns, 'address', 'del', vip, 'dev', 'eth0'], { stdio: 'ignore' });
    } catch {
      // not there
    }
}

/**
 * Waits until `backup` has seen `count` advertisements from `master` since `since` (more than
 * its Master_Down_Interval), so that a backup that was going to take over would have.
 */
async function pastMasterDown(master: string, since: number, count: number): Promise<void> {
  await poll(
    () => Promise.resolve(advertsFrom(master, since)),
    (list) => list.length >= count,
    `${count} advertisements from ${master}`,
  );
}

// One story, told in order: the tests share the processes (the same ipvs serve runs from the
// first test to the SIGTERM, the second from there to the SIGKILL at the end).
let ka: Keepalived;
let ours: ServeProcess;

describe('keepalived with the higher priority (150), ipvs serve 100: VRRPv2, 1 s', () => {
  const ourTimers = timers(100, 100);

  it(
    'keepalived is master and holds the VIP; ipvs serve stays backup',
    async () => {
      const since = now();
      ka = startKeepalived({ version: 2, interval: 100, priority: 150 });
      await ka.waitForLog(/Entering MASTER STATE/);
      ours = await startOurs({ version: 2, interval: 100, priority: 100 }, 'backup');
      await pastMasterDown(KA.v4, now(), 5);
      await vipHeldBy('ka');
      expect(ours.states()).not.toContain('master');
      expect(await whoAnswers()).toBe('keepalived');
      // keepalived's advertisements on the wire, through our decoder.
      const [first] = advertsFrom(KA.v4, since);
      expect(first?.packet).toMatchObject({
        destination: '224.0.0.18',
        ttl: 255,
        sourceMac: macs.ka,
      });
      expect(first?.advert).toMatchObject({
        version: 2,
        virtualRouterId: 51,
        priority: 150,
        intervalCentiseconds: 100,
        addresses: [VIP.v4],
      });
      expect(gratuitousArps(VIP.v4, macs.ka, since).length).toBeGreaterThan(0);
    },
    STARTING_TEST_MS,
  );

  it('keepalived stopped cleanly (SIGTERM): priority 0, ipvs serve takes over within its skew time', async () => {
    const stopAt = now();
    await ka.stop();
    const zero = await firstAdvert(KA.v4, stopAt, (a) => a.priority === 0, 'priority 0');
    const taken = await firstAdvert(OURS.v4, stopAt, (a) => a.priority === 100, 'our advert');
    const gap = taken.packet.time - zero.packet.time;
    takeovers.push({ what: 'keepalived SIGTERM -> ours', seconds: gap, bound: ourTimers.skew });
    expect(gap).toBeGreaterThanOrEqual(ourTimers.skew - 0.05);
    expect(gap).toBeLessThan(ourTimers.skew + TCG_MARGIN);
    await vipHeldBy('ours');
    // Our gratuitous ARPs as keepalived sends its own: the VIP, from our MAC.
    await poll(
      () => Promise.resolve(gratuitousArps(VIP.v4, macs.ours, stopAt)),
      (arps) => arps.length > 0,
      'our gratuitous ARP',
    );
    await poll(whoAnswers, (name) => name === 'ours', 'the client at ours');
  });

  it('keepalived restarted (preemption on) takes the VIP back; ipvs serve goes back to backup', async () => {
    const mark = ours.logLength;
    ka = startKeepalived({ version: 2, interval: 100, priority: 150 });
    await ka.waitForLog(/Entering MASTER STATE/);
    await ours.waitForLog(isState('backup'), 'backup', { after: mark });
    await vipHeldBy('ka');
    await poll(whoAnswers, (name) => name === 'keepalived', 'the client at keepalived');
  });

  it('keepalived crashed (no priority 0): ipvs serve takes over after Master_Down_Interval', async () => {
    const crashAt = now();
    await ka.crash();
    dropVips(nsKa);
    const taken = await firstAdvert(OURS.v4, crashAt, (a) => a.priority === 100, 'our advert');
    const last = lastAdvertBefore(KA.v4, taken.packet.time);
    expect(last.advert.priority).toBe(150);
    const gap = taken.packet.time - last.packet.time;
    takeovers.push({ what: 'keepalived crash -> ours', seconds: gap, bound: ourTimers.masterDown });
    expect(gap).toBeGreaterThanOrEqual(ourTimers.masterDown - 0.05);
    expect(gap).toBeLessThan(ourTimers.masterDown + TCG_MARGIN);
    await vipHeldBy('ours');
    await poll(whoAnswers, (name) => name === 'ours', 'the client at ours');
  });

  it('keepalived with nopreempt stays backup under the lower-priority master', async () => {
    ka = startKeepalived({ version: 2, interval: 100, priority: 150, preempt: false });
    await ka.waitForLog(/Entering BACKUP STATE/);
    await pastMasterDown(OURS.v4, now(), 5);
    expect(ka.log.filter((l) => /Entering MASTER STATE/.test(l))).toEqual([]);
    await vipHeldBy('ours');
    expect(ours.states().at(-1)).toBe('master');
    await ka.stop();
  });
});

describe('ipvs serve with the higher priority (150), keepalived 100: VRRPv2, 1 s', () => {
  const kaTimers = timers(100, 100);

  it('ipvs serve (priority raised to 150 by reload) stays master; keepalived accepts its adverts and stays backup', async () => {
    const mark = ours.logLength;
    ours.reload(oursConfig({ version: 2, interval: 100, priority: 150 }));
    await ours.waitForLog((r) => r.event === 'vrrp-updated', 'the reload', { after: mark });
    const since = now();
    ka = startKeepalived({ version: 2, interval: 100, priority: 100 });
    await ka.waitForLog(/Entering BACKUP STATE/);
    await pastMasterDown(OURS.v4, now(), 5);
    expect(ka.log.filter((l) => /Entering MASTER STATE/.test(l))).toEqual([]);
    await vipHeldBy('ours');
    expect(await whoAnswers()).toBe('ours');
    // Our advertisements on the wire: what keepalived (and RFC 3768) expect.
    const ads = advertsFrom(OURS.v4, since);
    expect(ads[0]?.packet).toMatchObject({
      destination: '224.0.0.18',
      ttl: 255,
      sourceMac: macs.ours,
    });
    expect(ads[0]?.advert).toEqual({
      version: 2,
      family: 'ipv4',
      virtualRouterId: 51,
      priority: 150,
      intervalCentiseconds: 100,
      addresses: [VIP.v4],
      auth: { type: 0, data: new Uint8Array(8) },
    });
    const gaps = ads.slice(1).map((a, i) => a.packet.time - (ads[i]?.packet.time ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThan(0.9);
  });

  it('split brain: the link of ipvs serve cut and restored ends with one master, ipvs serve, and the VIP reachable', async () => {
    const port = bridgePort(nsOurs);
    let mark = ka.logLength;
    sh('ip', 'link', 'set', port, 'down');
    try {
      // keepalived no longer hears ipvs serve: it takes the VIP, and the client follows it.
      await ka.waitForLog(/Entering MASTER STATE/, mark);
      await poll(whoAnswers, (name) => name === 'keepalived', 'the client at keepalived');
    } finally {
      mark = ka.logLength;
      sh('ip', 'link', 'set', port, 'up');
    }
    // Back together: the lower-priority master steps down, the higher one re-announces.
    await ka.waitForLog(/Entering BACKUP STATE/, mark);
    await vipHeldBy('ours');
    await poll(whoAnswers, (name) => name === 'ours', 'the client at ours');
    expect(ours.states().at(-1)).toBe('master');
  });

  it('ipvs serve stopped cleanly (SIGTERM): priority 0, keepalived takes over within its skew time', async () => {
    const mark = ka.logLength;
    const stopAt = now();
    await ours.stop();
    const zero = await firstAdvert(OURS.v4, stopAt, (a) => a.priority === 0, 'priority 0');
    const taken = await firstAdvert(KA.v4, stopAt, (a) => a.priority === 100, 'keepalived advert');
    await ka.waitForLog(/Backup received priority 0 advertisement/, mark);
    const gap = taken.packet.time - zero.packet.time;
    takeovers.push({ what: 'ours SIGTERM -> keepalived', seconds: gap, bound: kaTimers.skew });
    expect(gap).toBeGreaterThanOrEqual(kaTimers.skew - 0.05);
    expect(gap).toBeLessThan(kaTimers.skew + TCG_MARGIN);
    await vipHeldBy('ka');
    await poll(whoAnswers, (name) => name === 'keepalived', 'the client at keepalived');
  });

  it(
    'ipvs serve with preempt: false stays backup under the lower-priority master',
    async () => {
      ours = await startOurs(
        { version: 2, interval: 100, priority: 150, preempt: false },
        'backup',
      );
      await pastMasterDown(KA.v4, now(), 5);
      expect(ours.states()).not.toContain('master');
      await vipHeldBy('ka');
    },
    STARTING_TEST_MS,
  );

  it('ipvs serve reloaded with preempt: true takes the VIP back; keepalived goes back to backup', async () => {
    const mark = ka.logLength;
    ours.reload(oursConfig({ version: 2, interval: 100, priority: 150 }));
    await ours.waitForLog(isState('master'), 'master', { after: ours.logLength });
    await ka.waitForLog(/Entering BACKUP STATE/, mark);
    await vipHeldBy('ours');
    await poll(whoAnswers, (name) => name === 'ours', 'the client at ours');
    await ka.stop();
  });
});

describe('unicast peers (VRRPv3 at 50 cs): keepalived unicast_peer, ipvs serve unicastPeers', () => {
  it('keepalived accepts our unicast adverts and stays backup; ours go to the peer only', async () => {
    // The same ipvs serve, its instance restarted by the reload as a unicast one.
    const mark = ours.logLength;
    ours.reload(oursConfig({ version: 3, interval: 50, priority: 150, unicast: true }));
    // After the multicast instance's last advert (priority 0 as it stopped).
    await ours.waitForLog((r) => r.event === 'vrrp-restarted', 'the reload', { after: mark });
    const since = now();
    await ours.waitForLog(isState('master'), 'master', { after: mark });
    ka = startKeepalived({ version: 3, interval: 50, priority: 100, unicast: true });
    await ka.waitForLog(/Entering BACKUP STATE/);
    await pastMasterDown(OURS.v4, now(), 6);
    expect(ka.log.filter((l) => /Entering MASTER STATE/.test(l))).toEqual([]);
    await vipHeldBy('ours');
    const ads = advertsFrom(OURS.v4, since);
    expect(ads[0]?.packet).toMatchObject({ destination: KA.v4, ttl: 255 });
    expect(ads[0]?.advert).toMatchObject({ version: 3, priority: 150, intervalCentiseconds: 50 });
    expect(ads.every((a) => a.packet.destination === KA.v4)).toBe(true);
  });

  it('ours lowered to 50 by reload: keepalived preempts, and its unicast adverts verify here', async () => {
    const mark = ours.logLength;
    const kaMark = ka.logLength;
    const since = now();
    ours.reload(oursConfig({ version: 3, interval: 50, priority: 50, unicast: true }));
    await ka.waitForLog(/Entering MASTER STATE/, kaMark);
    await ours.waitForLog(isState('backup'), 'backup', { after: mark });
    await vipHeldBy('ka');
    // Decoded (advertsFrom) against the pseudo-header with the unicast destination, as ours checks.
    const taken = await firstAdvert(KA.v4, since, (a) => a.priority === 100, 'keepalived advert');
    expect(taken.packet).toMatchObject({ destination: OURS.v4, ttl: 255 });
    expect(taken.advert).toMatchObject({ version: 3, intervalCentiseconds: 50 });
    await ka.stop();
  });
});

describe('VRRPv3 over IPv6 (50 cs): keepalived 150 native_ipv6, ipvs serve 100', () => {
  const ourTimers = timers(100, 50);
  let kaLinkLocal: string;
  let ourLinkLocal: string;
  afterAll(cleanUp);

  it('elects keepalived; its adverts come from its link-local address to ff02::12', async () => {
    const since = now();
    ka = startKeepalived({ version: 3, interval: 50, priority: 150, family: 'v6' });
    await ka.waitForLog(/Entering MASTER STATE/);
    // The same ipvs serve, its instance restarted by the reload as an IPv6 one.
    const mark = ours.logLength;
    ours.reload(oursConfig({ version: 3, interval: 50, priority: 100, family: 'v6' }));
    await ours.waitForLog((r) => r.event === 'vrrp-restart', 'the reload', { after: mark });
    const restarted = ours.logLength;
    await ours.waitForLog(isState('backup'), 'backup', { after: mark });
    await vipHeldBy('ka', 'v6');
    // The client learns the VIP's link-layer address from keepalived.
    await poll(
      () => whoAnswers('v6'),
      (name) => name === 'keepalived',
      'the client at keepalived',
    );
    expect(await neighbour(VIP.v6)).toBe(macs.ka);
    const [ad] = await poll(
      () =>
        Promise.resolve(
          vrrpPackets(capture.frames()).filter(
            (p) => p.family === 'ipv6' && p.time >= since && p.sourceMac === macs.ka,
          ),
        ),
      (list) => list.length > 0,
      "keepalived's IPv6 advert in the capture",
    );
    expect(ad).toMatchObject({ destination: 'ff02::12', ttl: 255 });
    kaLinkLocal = ad?.source ?? '';
    expect(kaLinkLocal).toMatch(/^fe80:/);
    expect(advertsFrom(kaLinkLocal, since)[0]?.advert).toEqual({
      version: 3,
      family: 'ipv6',
      virtualRouterId: 51,
      priority: 150,
      intervalCentiseconds: 50,
      addresses: [VIP.v6],
    });
    expect(ours.states(restarted)).not.toContain('master');
  });

  it('keepalived crashed: ipvs serve takes over, and its unsolicited NA moves the client', async () => {
    const crashAt = now();
    await ka.crash();
    dropVips(nsKa);
    const [taken] = await poll(
      () =>
        Promise.resolve(
          vrrpPackets(capture.frames()).filter(
            (p) => p.family === 'ipv6' && p.time >= crashAt && p.sourceMac === macs.ours,
          ),
        ),
      (list) => list.length > 0,
      'our IPv6 advert',
    );
    ourLinkLocal = taken?.source ?? '';
    const first = advertsFrom(ourLinkLocal, crashAt)[0];
    expect(first?.advert).toMatchObject({ version: 3, family: 'ipv6', priority: 100 });
    expect(first?.packet).toMatchObject({ destination: 'ff02::12', ttl: 255 });
    const last = lastAdvertBefore(kaLinkLocal, first?.packet.time ?? 0);
    const gap = (first?.packet.time ?? 0) - last.packet.time;
    takeovers.push({
      what: 'keepalived crash -> ours (IPv6 v3)',
      seconds: gap,
      bound: ourTimers.masterDown,
    });
    expect(gap).toBeGreaterThanOrEqual(ourTimers.masterDown - 0.05);
    expect(gap).toBeLessThan(ourTimers.masterDown + TCG_MARGIN);
    await vipHeldBy('ours', 'v6');
    // Before the client sends anything to the VIP: its cache entry now names ipvs serve.
    await poll(
      () => neighbour(VIP.v6),
      (mac) => mac === macs.ours,
      'the client neighbour entry',
    );
    const adverts = capture.frames().filter(
      (f): f is IpPacket =>
        f.kind === 'ip' &&
        f.family === 'ipv6' &&
        f.protocol === 58 &&
        f.payload[0] === 136 && // neighbour advertisement
        f.payload.length >= 24 &&
        ipv6(f.payload, 8) === VIP.v6 && // its target
        f.sourceMac === macs.ours &&
        f.time >= crashAt,
    );
    expect(adverts.length).toBeGreaterThan(0);
    expect(await whoAnswers('v6')).toBe('ours');
  });

  it('keepalived back with a lower priority accepts our IPv6 adverts and stays backup', async () => {
    ka = startKeepalived({ version: 3, interval: 50, priority: 50, family: 'v6' });
    await ka.waitForLog(/Entering BACKUP STATE/);
    await pastMasterDown(ourLinkLocal, now(), 6);
    expect(ka.log.filter((l) => /Entering MASTER STATE/.test(l))).toEqual([]);
    await vipHeldBy('ours', 'v6');
  });

  it('ipvs serve killed (SIGKILL): keepalived takes over after Master_Down_Interval', async () => {
    const kaTimers = timers(50, 50);
    const killAt = now();
    await ours.kill();
    dropVips(nsOurs);
    const [taken] = await poll(
      () =>
        Promise.resolve(advertsFrom(kaLinkLocal, killAt).filter((a) => a.advert.priority === 50)),
      (list) => list.length > 0,
      'a keepalived advert',
    );
    const last = lastAdvertBefore(ourLinkLocal, taken?.packet.time ?? 0);
    expect(last.advert.priority).toBe(100);
    const gap = (taken?.packet.time ?? 0) - last.packet.time;
    takeovers.push({
      what: 'ours SIGKILL -> keepalived (IPv6 v3)',
      seconds: gap,
      bound: kaTimers.masterDown,
    });
    expect(gap).toBeGreaterThanOrEqual(kaTimers.masterDown - 0.05);
    expect(gap).toBeLessThan(kaTimers.masterDown + TCG_MARGIN);
    await vipHeldBy('ka', 'v6');
  });
});
