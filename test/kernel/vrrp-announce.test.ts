// Announcing an address (native/vrrp/announcer) between namespaces on a bridge: B has a neighbour
// entry for the address pointing at host C's MAC, A announces the address, and B's entry then
// holds A's MAC. Linux updates an existing entry from a gratuitous ARP or an unsolicited NA with
// Override set, and creates none (no arp_accept), so the entry is planted first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNative } from '../../lib/kernel/binding.js';
import type { Announcer } from '../../lib/vrrp/ports.js';
import { nativeVrrpNetwork } from '../../lib/vrrp/native-network.js';
import { netnsPath, poll, Topology } from '../support/topology.js';
import { sh } from '../support/sh.js';

const native = loadNative();
const topology = new Topology('vrrpann');
let nsA: string;
let nsB: string;
let nsC: string;
let announcer: Announcer;

function mac(ns: string): string {
  const match = /link\/ether ([0-9a-f:]{17})/.exec(sh('ip', '-n', ns, 'link', 'show', 'eth0'));
  if (!match?.[1]) throw new Error(`no Ethernet address on eth0 in ${ns}`);
  return match[1];
}

/** B's neighbour entry for `address`: its lladdr, or '' when it has none. */
function neighbour(address: string): string {
  const line = sh('ip', '-n', nsB, 'neigh', 'show', address, 'dev', 'eth0');
  return /lladdr ([0-9a-f:]{17})/.exec(line)?.[1] ?? '';
}

/** Plants B's entry for `address` at C's MAC, STALE so that the kernel may replace it. */
function pointAtC(address: string): void {
  sh(
    'ip',
    '-n',
    nsB,
    'neigh',
    'replace',
    address,
    'lladdr',
    mac(nsC),
    'dev',
    'eth0',
    'nud',
    'stale',
  );
  expect(neighbour(address)).toBe(mac(nsC));
}

/** Waits until A's link-local address has passed DAD: the source of its neighbour adverts. */
async function linkLocalReady(ns: string): Promise<void> {
  await poll(
    () =>
      Promise.resolve(sh('ip', '-n', ns, '-6', 'address', 'show', 'dev', 'eth0', 'scope', 'link')),
    (text) => text.includes('fe80::') && !text.includes('tentative'),
    `a usable link-local address in ${ns}`,
  );
}

beforeAll(async () => {
  const br = topology.bridge('vrrpannbr0');
  const port = (v4: string, v6: string) => ({
    ifname: 'eth0',
    bridge: br,
    addresses: [`192.168.8.${v4}/24`, `2001:db8:8::${v6}/64`],
  });
  nsA = topology.host('a', [port('10', '10')]);
  nsB = topology.host('b', [port('11', '11')]);
  nsC = topology.host('c', [port('12', '12')]);
  announcer = await nativeVrrpNetwork.openAnnouncer(netnsPath(nsA), 'eth0');
  await linkLocalReady(nsA);
});

afterAll(() => {
  announcer.close();
  topology.destroy();
});

describe('the announcer', () => {
  it('moves a neighbour entry to its MAC with a gratuitous ARP', async () => {
    pointAtC('192.168.8.200');
    announcer.announce('192.168.8.200');
    await poll(
      () => Promise.resolve(neighbour('192.168.8.200')),
      (lladdr) => lladdr === mac(nsA),
      "B's ARP entry for 192.168.8.200 to hold A's MAC",
      10,
    );
  });

  it('moves an IPv6 neighbour entry with an unsolicited neighbour advertisement', async () => {
    pointAtC('2001:db8:8::200');
    announcer.announce('2001:db8:8::200');
    await poll(
      () => Promise.resolve(neighbour('2001:db8:8::200')),
      (lladdr) => lladdr === mac(nsA),
      "B's neighbour entry for 2001:db8:8::200 to hold A's MAC",
      10,
    );
  });

  it('creates no entry where none was (no arp_accept)', async () => {
    announcer.announce('192.168.8.201');
    // The announcement above took well under a second to land; give this one as long.
    await new Promise((r) => setTimeout(r, 1500));
    expect(neighbour('192.168.8.201')).toBe('');
  });

  it("knows the interface's index and MAC in its own namespace", async () => {
    const raw = await native.announcerOpen(netnsPath(nsA), 'eth0');
    const index = Number(sh('ip', '-n', nsA, '-o', 'link', 'show', 'eth0').split(':')[0]);
    expect(raw.ifindex).toBe(index);
    expect(raw.hardwareAddress).toBe(mac(nsA));
    raw.close();
    raw.close();
    expect(raw.hardwareAddress).toBeUndefined();
    expect(() => {
      raw.announce('192.168.8.200');
    }).toThrow(expect.objectContaining({ step: 'closed' }) as Error);
  });

  it('names the step and errno for an unknown interface, a non-Ethernet one, a bad address', async () => {
    await expect(nativeVrrpNetwork.openAnnouncer(netnsPath(nsA), 'nosuch0')).rejects.toMatchObject({
      name: 'VrrpNetworkError',
      step: 'socket',
      code: 'ENODEV',
    });
    await expect(nativeVrrpNetwork.openAnnouncer(netnsPath(nsA), 'lo')).rejects.toMatchObject({
      step: 'socket',
      code: 'EOPNOTSUPP',
    });
    expect(() => {
      announcer.announce('vip');
    }).toThrow(TypeError);
  });
});
