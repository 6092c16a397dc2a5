// Real servers (destinations) through the library, read back through the library and ipvsadm, and
// destinations written by ipvsadm read back through the library.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Ipvs } from '../../lib/index.js';
import type { Destination, ForwardMethod, ForwardMethodInput } from '../../lib/index.js';
import {
  addLan,
  ipvsErrorOf,
  listedDestinations,
  saved,
  withoutStats,
  zeroStats,
} from '../support/ipvs-test.js';
import { sh } from '../support/sh.js';

let ipvs: Ipvs;
const svc = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;
const svc6 = { protocol: 'tcp', address: '2001:db8:8::200', port: 80 } as const;

beforeAll(async () => {
  addLan();
  ipvs = await Ipvs.open();
});

afterAll(() => {
  ipvs.close();
});

beforeEach(async () => {
  sh('ipvsadm', '-C');
  await ipvs.addService({ ...svc, scheduler: 'rr' });
});

async function destinations(
  key: Parameters<Ipvs['listDestinations']>[0] = svc,
): Promise<Omit<Destination, 'stats'>[]> {
  const list = await ipvs.listDestinations(key);
  for (const d of list) expect(d.stats).toEqual(zeroStats);
  // The kernel lists in its own order; ipvsadm sorts. Compare sorted by address and port.
  return list
    .map(withoutStats)
    .sort((a, b) => a.address.localeCompare(b.address) || a.port - b.port);
}

const idle = {
  upperThreshold: 0,
  lowerThreshold: 0,
  activeConnections: 0,
  inactiveConnections: 0,
  persistentConnections: 0,
};

describe('forwarding methods', () => {
  const aliases: [ForwardMethodInput, ForwardMethod, string][] = [
    ['masq', 'masq', '-m'],
    ['nat', 'masq', '-m'],
    ['-m', 'masq', '-m'],
    ['route', 'route', '-g'],
    ['dr', 'route', '-g'],
    ['gate', 'route', '-g'],
    ['-g', 'route', '-g'],
    ['tunnel', 'tunnel', '-i'],
    ['tun', 'tunnel', '-i'],
    ['ipip', 'tunnel', '-i'],
    ['-i', 'tunnel', '-i'],
  ];

  it('accepts every alias and reports the canonical form', async () => {
    for (const [i, [alias]] of aliases.entries()) {
      await ipvs.addDestination(svc, { address: `192.168.8.${20 + i}`, forward: alias });
    }
    const expected = aliases.map(([, , flag], i) => {
      const tun = flag === '-i' ? ' --tun-type ipip' : '';
      return `-a -t 192.168.8.200:80 -r 192.168.8.${20 + i}:80 ${flag} -w 1${tun}`;
    });
    expect(saved()).toEqual(['-A -t 192.168.8.200:80 -s rr', ...expected].sort());
    const list = await destinations();
    for (const [i, [alias, canonical]] of aliases.entries()) {
      const found = list.find((d) => d.address === `192.168.8.${20 + i}`);
      expect(found?.forward, alias).toBe(canonical);
      if (canonical === 'tunnel')
        expect(found?.tunnel).toEqual({ type: 'ipip', port: 0, checksum: 'none' });
      else expect(found?.tunnel).toBeUndefined();
    }
  });

  it("defaults to direct routing, weight 1 and the service's port", async () => {
    await ipvs.addDestination(svc, { address: '192.168.8.21' });
    expect(saved()).toContain('-a -t 192.168.8.200:80 -r 192.168.8.21:80 -g -w 1');
    expect(await destinations()).toEqual([
      { address: '192.168.8.21', port: 80, family: 'ipv4', forward: 'route', weight: 1, ...idle },
    ]);
  });

  it('maps the port with masquerading, weights 0, 1 and 100', async () => {
    await ipvs.addDestination(svc, {
      address: '192.168.8.22',
      port: 8080,
      forward: 'masq',
      weight: 100,
    });
    await ipvs.addDestination(svc, {
      address: '192.168.8.23',
      port: 8081,
      forward: 'nat',
      weight: 0,
    });
    await ipvs.addDestination(svc, { address: '192.168.8.24', forward: 'route', weight: 1 });
    expect(saved()).toEqual([
      '-A -t 192.168.8.200:80 -s rr',
      '-a -t 192.168.8.200:80 -r 192.168.8.22:8080 -m -w 100',
      '-a -t 192.168.8.200:80 -r 192.168.8.23:8081 -m -w 0',
      '-a -t 192.168.8.200:80 -r 192.168.8.24:80 -g -w 1',
    ]);
    expect(listedDestinations('-t', '192.168.8.200:80')).toEqual([
      '-> 192.168.8.22:8080 Masq 100 0 0',
      '-> 192.168.8.23:8081 Masq 0 0 0',
      '-> 192.168.8.24:80 Route 1 0 0',
    ]);
    const list = await destinations();
    expect(list.map((d) => [d.address, d.port, d.forward, d.weight])).toEqual([
      ['192.168.8.22', 8080, 'masq', 100],
      ['192.168.8.23', 8081, 'masq', 0],
      ['192.168.8.24', 80, 'route', 1],
    ]);
  });
});

describe('thresholds and tunnels', () => {
  it('sets upper and lower thresholds (ipvsadm --thresholds)', async () => {
    await ipvs.addDestination(svc, {
      address: '192.168.8.24',
      weight: 5,
      upperThreshold: 1000,
      lowerThreshold: 100,
    });
    await ipvs.addDestination(svc, {
      address: '192.168.8.25',
      forward: 'masq',
      upperThreshold: 10,
    });
    expect(listedDestinations('--thresholds', '-t', '192.168.8.200:80')).toEqual([
      '-> 192.168.8.24:80 1000 100 0 0',
      '-> 192.168.8.25:80 10 0 0 0',
    ]);
    const list = await destinations();
    expect(list.map((d) => [d.upperThreshold, d.lowerThreshold])).toEqual([
      [1000, 100],
      [10, 0],
    ]);
  });

  it('sets tunnel types ipip, gue and gre with each checksum mode (ipvsadm --tun-info)', async () => {
    const tunnels = [
      [{ type: 'ipip' }, 'ipip', '--tun-type ipip', { type: 'ipip', port: 0, checksum: 'none' }],
      [
        { type: 'gue', port: 6080 },
        'gue:6080:-c',
        '--tun-type gue --tun-port 6080 --tun-nocsum',
        { type: 'gue', port: 6080, checksum: 'none' },
      ],
      [
        { type: 'gue', port: 6081, checksum: 'csum' },
        'gue:6081:+c',
        '--tun-type gue --tun-port 6081 --tun-csum',
        { type: 'gue', port: 6081, checksum: 'csum' },
      ],
      [
        { type: 'gue', port: 6082, checksum: 'remcsum' },
        'gue:6082:r+c',
        '--tun-type gue --tun-port 6082 --tun-remcsum',
        { type: 'gue', port: 6082, checksum: 'remcsum' },
      ],
      [
        { type: 'gre' },
        'gre:-c',
        '--tun-type gre --tun-nocsum',
        { type: 'gre', port: 0, checksum: 'none' },
      ],
      [
        { type: 'gre', checksum: 'csum' },
        'gre:+c',
        '--tun-type gre --tun-csum',
        { type: 'gre', port: 0, checksum: 'csum' },
      ],
    ] as const;
    for (const [i, [tunnel]] of tunnels.entries()) {
      await ipvs.addDestination(svc, { address: `192.168.8.${30 + i}`, forward: 'tunnel', tunnel });
    }
    expect(listedDestinations('--tun-info', '-t', '192.168.8.200:80')).toEqual(
      tunnels.map(([, info], i) => `-> 192.168.8.${30 + i}:80 Tunnel ${info} 1 0 0`),
    );
    expect(saved()).toEqual(
      [
        '-A -t 192.168.8.200:80 -s rr',
        ...tunnels.map(
          ([, , args], i) => `-a -t 192.168.8.200:80 -r 192.168.8.${30 + i}:80 -i -w 1 ${args}`,
        ),
      ].sort(),
    );
    const list = await destinations();
    expect(list.map((d) => d.tunnel)).toEqual(tunnels.map(([, , , readBack]) => readBack));
  });
});

describe('IPv6', () => {
  it('adds IPv6 real servers to an IPv6 service, and an IPv6 tunnel to an IPv4 service', async () => {
    await ipvs.addService({ ...svc6, scheduler: 'wlc' });
    await ipvs.addDestination(svc6, { address: '2001:db8:8::20', forward: 'route', weight: 2 });
    await ipvs.addDestination(svc6, { address: '[2001:db8:8::21]', port: 8080, forward: 'masq' });
    await ipvs.addDestination(svc6, {
      address: '2001:db8:8::22',
      forward: 'tunnel',
      tunnel: { type: 'gue', port: 6080, checksum: 'csum' },
    });
    await ipvs.addDestination(svc, { address: '2001:db8:8::42', forward: 'tunnel' });
    expect(saved()).toEqual([
      '-A -t 192.168.8.200:80 -s rr',
      '-A -t [2001:db8:8::200]:80 -s wlc',
      '-a -t 192.168.8.200:80 -r [2001:db8:8::42]:80 -i -w 1 --tun-type ipip',
      '-a -t [2001:db8:8::200]:80 -r [2001:db8:8::20]:80 -g -w 2',
      '-a -t [2001:db8:8::200]:80 -r [2001:db8:8::21]:8080 -m -w 1',
      '-a -t [2001:db8:8::200]:80 -r [2001:db8:8::22]:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum',
    ]);
    expect(await destinations(svc6)).toEqual([
      { address: '2001:db8:8::20', port: 80, family: 'ipv6', forward: 'route', weight: 2, ...idle },
      {
        address: '2001:db8:8::21',
        port: 8080,
        family: 'ipv6',
        forward: 'masq',
        weight: 1,
        ...idle,
      },
      {
        address: '2001:db8:8::22',
        port: 80,
        family: 'ipv6',
        forward: 'tunnel',
        weight: 1,
        tunnel: { type: 'gue', port: 6080, checksum: 'csum' },
        ...idle,
      },
    ]);
    expect(await destinations(svc)).toEqual([
      {
        address: '2001:db8:8::42',
        port: 80,
        family: 'ipv6',
        forward: 'tunnel',
        weight: 1,
        tunnel: { type: 'ipip', port: 0, checksum: 'none' },
        ...idle,
      },
    ]);
  });
});

describe('edit and delete', () => {
  it('editDestination replaces weight, thresholds, method and tunnel (ipvsadm -e)', async () => {
    await ipvs.addDestination(svc, { address: '192.168.8.20', weight: 1 });
    await ipvs.addDestination(svc, {
      address: '192.168.8.26',
      forward: 'tunnel',
      tunnel: { type: 'gue', port: 6080 },
    });
    await ipvs.editDestination(svc, { address: '192.168.8.20', weight: 10, upperThreshold: 2000 });
    await ipvs.editDestination(svc, {
      address: '192.168.8.26',
      forward: 'tunnel',
      tunnel: { type: 'gue', port: 7070, checksum: 'csum' },
    });
    expect(saved()).toEqual([
      '-A -t 192.168.8.200:80 -s rr',
      '-a -t 192.168.8.200:80 -r 192.168.8.20:80 -g -w 10',
      '-a -t 192.168.8.200:80 -r 192.168.8.26:80 -i -w 1 --tun-type gue --tun-port 7070 --tun-csum',
    ]);
    expect(listedDestinations('--thresholds', '-t', '192.168.8.200:80')).toContain(
      '-> 192.168.8.20:80 2000 0 0 0',
    );
    expect(await destinations()).toEqual([
      {
        address: '192.168.8.20',
        port: 80,
        family: 'ipv4',
        forward: 'route',
        weight: 10,
        ...idle,
        upperThreshold: 2000,
      },
      {
        address: '192.168.8.26',
        port: 80,
        family: 'ipv4',
        forward: 'tunnel',
        weight: 1,
        tunnel: { type: 'gue', port: 7070, checksum: 'csum' },
        ...idle,
      },
    ]);
    await ipvs.editDestination(svc, { address: '192.168.8.20', forward: 'masq', weight: 0 });
    expect(saved()).toContain('-a -t 192.168.8.200:80 -r 192.168.8.20:80 -m -w 0');
    const missing = await ipvsErrorOf(() => ipvs.editDestination(svc, { address: '192.168.8.99' }));
    expect(missing.code).toBe('ENOENT');
    expect(missing.op).toBe('editDestination');
  });

  it('deleteDestination removes exactly that destination', async () => {
    await ipvs.addDestination(svc, { address: '192.168.8.21' });
    await ipvs.addDestination(svc, { address: '192.168.8.22', port: 8080, forward: 'masq' });
    await ipvs.addDestination(svc, { address: '192.168.8.23' });
    await ipvs.deleteDestination(svc, { address: '192.168.8.21' });
    await ipvs.deleteDestination(svc, { address: '192.168.8.22', port: 8080 });
    expect(saved()).toEqual([
      '-A -t 192.168.8.200:80 -s rr',
      '-a -t 192.168.8.200:80 -r 192.168.8.23:80 -g -w 1',
    ]);
    expect((await destinations()).map((d) => d.address)).toEqual(['192.168.8.23']);
  });
});

describe('counters and ipvsadm-written destinations', () => {
  it('reports active, inactive and persistent connection counts as numbers (ipvsadm --persistent-conn)', async () => {
    await ipvs.addDestination(svc, { address: '192.168.8.20', weight: 3 });
    const [dest] = await ipvs.listDestinations(svc);
    expect(typeof dest?.activeConnections).toBe('number');
    expect(typeof dest?.inactiveConnections).toBe('number');
    expect(typeof dest?.persistentConnections).toBe('number');
    expect(typeof dest?.stats.conns).toBe('bigint');
    expect(listedDestinations('--persistent-conn', '-t', '192.168.8.200:80')).toEqual([
      `-> 192.168.8.20:80 3 ${dest?.persistentConnections} ${dest?.activeConnections} ${dest?.inactiveConnections}`,
    ]);
    const [listed] = await ipvs.listServices({ destinations: true });
    expect(listed?.destinations?.map(withoutStats)).toEqual([
      { address: '192.168.8.20', port: 80, family: 'ipv4', forward: 'route', weight: 3, ...idle },
    ]);
  });

  it('reads back destinations that ipvsadm wrote', async () => {
    sh('ipvsadm', '-a', '-t', '192.168.8.200:80', '-r', '192.168.8.22:8080', '-m', '-w', '50');
    sh(
      'ipvsadm',
      '-a',
      '-t',
      '192.168.8.200:80',
      '-r',
      '192.168.8.24:80',
      '-g',
      '-w',
      '5',
      '-x',
      '1000',
      '-y',
      '100',
    );
    sh(
      'ipvsadm',
      '-a',
      '-t',
      '192.168.8.200:80',
      '-r',
      '192.168.8.29:80',
      '-i',
      '--tun-type',
      'gue',
      '--tun-port',
      '6080',
      '--tun-remcsum',
    );
    sh(
      'ipvsadm',
      '-a',
      '-t',
      '192.168.8.200:80',
      '-r',
      '192.168.8.31:80',
      '-i',
      '--tun-type',
      'gre',
      '--tun-csum',
      '-w',
      '0',
    );
    sh('ipvsadm', '-A', '-f', '1', '-s', 'rr');
    sh('ipvsadm', '-a', '-f', '1', '-r', '192.168.8.20', '-g', '-w', '9');
    sh('ipvsadm', '-a', '-f', '1', '-r', '192.168.8.21:8080', '-m', '-w', '4');
    expect(await destinations()).toEqual([
      { address: '192.168.8.22', port: 8080, family: 'ipv4', forward: 'masq', weight: 50, ...idle },
      {
        address: '192.168.8.24',
        port: 80,
        family: 'ipv4',
        forward: 'route',
        weight: 5,
        ...idle,
        upperThreshold: 1000,
        lowerThreshold: 100,
      },
      {
        address: '192.168.8.29',
        port: 80,
        family: 'ipv4',
        forward: 'tunnel',
        weight: 1,
        tunnel: { type: 'gue', port: 6080, checksum: 'remcsum' },
        ...idle,
      },
      {
        address: '192.168.8.31',
        port: 80,
        family: 'ipv4',
        forward: 'tunnel',
        weight: 0,
        tunnel: { type: 'gre', port: 0, checksum: 'csum' },
        ...idle,
      },
    ]);
    expect(await destinations({ fwmark: 1 })).toEqual([
      { address: '192.168.8.20', port: 0, family: 'ipv4', forward: 'route', weight: 9, ...idle },
      { address: '192.168.8.21', port: 8080, family: 'ipv4', forward: 'masq', weight: 4, ...idle },
    ]);
  });
});

describe('scale and fwmark services', () => {
  it('lists 800 destinations of one service (a dump of many parts) as ipvsadm does', async () => {
    const addresses = Array.from(
      { length: 800 },
      (_, i) => `10.${20 + Math.floor(i / 250)}.${i % 250}.1`,
    );
    sh('ip', 'route', 'add', '10.0.0.0/8', 'dev', 'lan0');
    const results = await ipvs.batch((b) => {
      for (const [i, address] of addresses.entries())
        b.addDestination(svc, { address, forward: 'masq', weight: i });
    });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(listedDestinations('-t', '192.168.8.200:80')).toHaveLength(800);
    const list = await ipvs.listDestinations(svc);
    expect(list).toHaveLength(800);
    const byAddress = new Map(list.map((d) => [d.address, d.weight]));
    expect(addresses.map((a) => byAddress.get(a))).toEqual(addresses.map((_, i) => i));
    const [service] = await ipvs.listServices({ destinations: true });
    expect(service?.destinations).toHaveLength(800);
  });

  it('adds destinations to an IPv6 fwmark service (port 0 by default)', async () => {
    await ipvs.addService({ fwmark: 2, family: 'ipv6', scheduler: 'dh' });
    await ipvs.addDestination({ fwmark: 2, family: 'ipv6' }, { address: '2001:db8:8::20' });
    await ipvs.addDestination(
      { fwmark: 2, family: 'ipv6' },
      { address: '2001:db8:8::21', port: 80, forward: 'tunnel' },
    );
    expect(saved()).toEqual(
      expect.arrayContaining([
        '-A -f 2 -6 -s dh',
        '-a -f 2 -6 -r [2001:db8:8::20]:0 -g -w 1',
        '-a -f 2 -6 -r [2001:db8:8::21]:80 -i -w 1 --tun-type ipip',
      ]),
    );
    expect(
      (await destinations({ fwmark: 2, family: 'ipv6' })).map((d) => [
        d.address,
        d.port,
        d.forward,
      ]),
    ).toEqual([
      ['2001:db8:8::20', 0, 'route'],
      ['2001:db8:8::21', 80, 'tunnel'],
    ]);
    const service = await ipvs.getService({ fwmark: 2, family: 'ipv6' }, { destinations: true });
    expect(service.destinations).toHaveLength(2);
  });
});
