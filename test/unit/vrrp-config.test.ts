// The `vrrp` list of the serve config: issue 12's example accepted with its defaults filled in,
// and each bad value refused with its path.
import { describe, expect, it } from 'vitest';
import { HealthConfigError } from '../../lib/health/config-error.js';
import { validateVrrpConfig } from '../../lib/vrrp/config.js';

/** The example, as YAML parses it. */
const example = {
  name: 'VI_1',
  interface: 'eth0',
  virtualRouterId: 51,
  priority: 150,
  advertisementInterval: '1s',
  version: 2,
  preempt: true,
  preemptDelay: '0s',
  virtualAddresses: ['192.168.8.200/24'],
  unicastPeers: [],
  syncDaemon: { interface: 'eth0', syncId: 51 },
  trackServices: [{ service: 'tcp 192.168.8.200:80', weight: -100 }],
};

function refusal(value: unknown, services?: readonly string[]): HealthConfigError {
  try {
    validateVrrpConfig(value, services === undefined ? {} : { services });
  } catch (error) {
    if (error instanceof HealthConfigError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('vrrp config: accepted', () => {
  it("takes the issue's example as it is written", () => {
    expect(validateVrrpConfig([example], { services: ['tcp 192.168.8.200:80'] })).toEqual([
      {
        name: 'VI_1',
        interface: 'eth0',
        virtualRouterId: 51,
        priority: 150,
        version: 2,
        family: 'ipv4',
        advertisementIntervalMs: 1000,
        preempt: true,
        preemptDelayMs: 0,
        virtualAddresses: [{ address: '192.168.8.200', prefixLength: 24 }],
        unicastPeers: [],
        syncDaemon: { interface: 'eth0', syncId: 51 },
        trackServices: [{ service: 'tcp 192.168.8.200:80', weight: -100, fault: false }],
        label: 'eth0:vip',
        announce: { count: 5, repeatAfterMs: 5000, repeatCount: 5 },
        notify: {},
        path: 'vrrp[0]',
      },
    ]);
  });

  it("fills in keepalived's defaults: priority 100, version 2, 1s, preemption, multicast", () => {
    const [one] = validateVrrpConfig([
      { name: 'a', interface: 'eth0', virtualRouterId: 1, virtualAddresses: ['10.0.0.1'] },
    ]);
    expect(one).toMatchObject({
      priority: 100,
      version: 2,
      advertisementIntervalMs: 1000,
      preempt: true,
      preemptDelayMs: 0,
      virtualAddresses: [{ address: '10.0.0.1', prefixLength: 32 }],
      unicastPeers: [],
      syncDaemon: undefined,
      trackServices: [],
    });
  });

  it('takes IPv6 with version 3, centisecond intervals and canonical spellings', () => {
    const [one] = validateVrrpConfig([
      {
        ...example,
        version: 3,
        advertisementInterval: '250ms',
        virtualAddresses: ['2001:DB8::200/64', 'fe80::200'],
        unicastPeers: ['2001:db8:0::11'],
        trackServices: [
          { service: 'udp [2001:DB8::1]:53', weight: 10 },
          { service: 'fwmark 5', weight: -5 },
        ],
      },
    ]);
    expect(one).toMatchObject({
      family: 'ipv6',
      advertisementIntervalMs: 250,
      virtualAddresses: [
        { address: '2001:db8::200', prefixLength: 64 },
        { address: 'fe80::200', prefixLength: 128 },
      ],
      unicastPeers: ['2001:db8::11'],
      trackServices: [
        { service: 'udp [2001:db8::1]:53', weight: 10, fault: false },
        { service: 'fwmark 5', weight: -5, fault: false },
      ],
    });
  });

  it('takes no vrrp list at all, and one VRID on two interfaces', () => {
    expect(validateVrrpConfig(undefined)).toEqual([]);
    const two = validateVrrpConfig([example, { ...example, name: 'VI_2', interface: 'eth1' }]);
    expect(two.map((i) => i.path)).toEqual(['vrrp[0]', 'vrrp[1]']);
  });
});

describe("vrrp config: the runner's fields (label, announce, notify, fault tracking)", () => {
  it('takes a label, announce counts, notify argv and a tracked service that faults', () => {
    const [one] = validateVrrpConfig([
      {
        ...example,
        label: 'eth0:ha',
        announce: { count: 2, repeatAfter: '10s', repeatCount: 0 },
        notify: { master: ['/usr/local/bin/notify', 'master'], stop: ['logger', 'stop'] },
        trackServices: [{ service: 'tcp 192.168.8.200:80', fault: true }],
      },
    ]);
    expect(one).toMatchObject({
      label: 'eth0:ha',
      announce: { count: 2, repeatAfterMs: 10_000, repeatCount: 0 },
      notify: { master: ['/usr/local/bin/notify', 'master'], stop: ['logger', 'stop'] },
      trackServices: [{ service: 'tcp 192.168.8.200:80', weight: 0, fault: true }],
    });
  });

  it('labels a long interface with its own name, where "NAME:vip" would pass 15 characters', () => {
    const [one] = validateVrrpConfig([{ ...example, interface: 'enp0s31f6abcd' }]);
    expect(one?.label).toBe('enp0s31f6abcd');
  });

  it('lets the owner (255) track with fault: true, not with a weight', () => {
    const [one] = validateVrrpConfig([
      { ...example, priority: 255, trackServices: [{ service: 'fwmark 5', fault: true }] },
    ]);
    expect(one?.priority).toBe(255);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a label of another interface', { label: 'eth1:vip' }, 'vrrp[0].label'],
    ['a label over 15 characters', { label: 'eth0:0123456789ab' }, 'vrrp[0].label'],
    ['an announce count of 0', { announce: { count: 0 } }, 'vrrp[0].announce.count'],
    ['an unknown announce field', { announce: { repeat: 1 } }, 'vrrp[0].announce.repeat'],
    ['a notify string', { notify: { master: '/bin/true master' } }, 'vrrp[0].notify.master'],
    ['an empty notify argv', { notify: { fault: [] } }, 'vrrp[0].notify.fault'],
    ['an unknown notify state', { notify: { init: ['x'] } }, 'vrrp[0].notify.init'],
    [
      'weight with fault',
      { trackServices: [{ service: 'fwmark 5', weight: -1, fault: true }] },
      'vrrp[0].trackServices[0].weight',
    ],
  ])('refuses %s', (_what, change, path) => {
    expect(refusal([{ ...example, trackServices: [], ...change }]).path).toBeDefined();
    expect(refusal([{ ...example, trackServices: [], ...change }]).message).toMatch(
      new RegExp(`^${path.replace(/[[\].]/g, '\\$&')} `),
    );
  });
});

describe('vrrp config: refused, naming the field', () => {
  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['an unknown field', { prio: 1 }, 'vrrp[0].prio', /is not a known field/],
    ['no name', { name: undefined }, 'vrrp[0].name', /must be a name/],
    ['a bad interface', { interface: 'eth0:vip' }, 'vrrp[0].interface', /no slash or colon/],
    ['no VRID', { virtualRouterId: undefined }, 'vrrp[0].virtualRouterId', /is required/],
    ['VRID 0', { virtualRouterId: 0 }, 'vrrp[0].virtualRouterId', /1-255/],
    ['VRID 256', { virtualRouterId: 256 }, 'vrrp[0].virtualRouterId', /1-255/],
    ['priority 0', { priority: 0 }, 'vrrp[0].priority', /1-255/],
    ['version 4', { version: 4 }, 'vrrp[0].version', /must be 2 or 3/],
    [
      'a v2 interval in ms',
      { advertisementInterval: '1500ms' },
      'vrrp[0].advertisementInterval',
      /whole seconds/,
    ],
    [
      'a v2 interval over 255s',
      { advertisementInterval: '256s' },
      'vrrp[0].advertisementInterval',
      /1s-255s/,
    ],
    [
      'a v3 interval of 5ms',
      { version: 3, advertisementInterval: '5ms' },
      'vrrp[0].advertisementInterval',
      /multiple of 10ms/,
    ],
    [
      'a v3 interval over 40.95s',
      { version: 3, advertisementInterval: '41s' },
      'vrrp[0].advertisementInterval',
      /40.95s/,
    ],
    [
      'not a duration',
      { advertisementInterval: 'soon' },
      'vrrp[0].advertisementInterval',
      /must be a duration/,
    ],
    ['preempt as text', { preempt: 'yes' }, 'vrrp[0].preempt', /true or false/],
    [
      'a delay without preemption',
      { preempt: false, preemptDelay: '30s' },
      'vrrp[0].preemptDelay',
      /needs preempt/,
    ],
    ['no addresses', { virtualAddresses: [] }, 'vrrp[0].virtualAddresses', /1-255 addresses/],
    [
      'a bad prefix',
      { virtualAddresses: ['10.0.0.1/33'] },
      'vrrp[0].virtualAddresses[0]',
      /optional prefix/,
    ],
    [
      'a name for an address',
      { virtualAddresses: ['10.0.0.1', 'vip.example'] },
      'vrrp[0].virtualAddresses[1]',
      /optional prefix/,
    ],
    [
      'mixed families',
      { version: 3, virtualAddresses: ['10.0.0.1', '2001:db8::1'] },
      'vrrp[0].virtualAddresses[1]',
      /one family/,
    ],
    [
      'a repeated address',
      { virtualAddresses: ['10.0.0.1/24', '10.0.0.1/16'] },
      'vrrp[0].virtualAddresses[1]',
      /repeats 10.0.0.1/,
    ],
    [
      'IPv6 on version 2',
      { virtualAddresses: ['2001:db8::1'] },
      'vrrp[0].version',
      /must be 3 for IPv6/,
    ],
    [
      'a peer of the other family',
      { unicastPeers: ['2001:db8::1'] },
      'vrrp[0].unicastPeers[0]',
      /IPv4 address/,
    ],
    [
      'a repeated peer',
      { unicastPeers: ['10.0.0.2', '10.0.0.2'] },
      'vrrp[0].unicastPeers[1]',
      /repeats/,
    ],
    [
      'a sync daemon with a bad id',
      { syncDaemon: { interface: 'eth0', syncId: 300 } },
      'vrrp[0].syncDaemon.syncId',
      /must be an integer 0-255/,
    ],
    [
      'a sync daemon with a state',
      { syncDaemon: { interface: 'eth0', state: 'master' } },
      'vrrp[0].syncDaemon.state',
      /not a known field/,
    ],
    [
      'a bad service',
      { trackServices: [{ service: 'tcp 192.168.8.200', weight: -1 }] },
      'vrrp[0].trackServices[0].service',
      /must name a service/,
    ],
    [
      'no weight',
      { trackServices: [{ service: 'fwmark 5' }] },
      'vrrp[0].trackServices[0].weight',
      /is required/,
    ],
    [
      'a weight of 255',
      { trackServices: [{ service: 'fwmark 5', weight: 255 }] },
      'vrrp[0].trackServices[0].weight',
      /-254-254/,
    ],
    ['tracking on the owner', { priority: 255 }, 'vrrp[0].trackServices', /priority 255/],
  ])('%s', (_, change, path, message) => {
    const error = refusal([{ ...example, ...change }]);
    expect(error.path.length > 0 && error.message.startsWith(path)).toBe(true);
    expect(error.message).toMatch(message);
  });

  it('a tracked service the config does not have', () => {
    expect(refusal([example], ['tcp 192.168.8.200:443']).message).toMatch(
      /^vrrp\[0\]\.trackServices\[0\]\.service names no service of the config \(known: tcp 192\.168\.8\.200:443\)/,
    );
  });

  it('a list that is not one, and a repeated name or VRID on one interface', () => {
    expect(refusal({ name: 'VI_1' }).message).toMatch(/^vrrp must be a list/);
    expect(refusal([example, example]).message).toMatch(/^vrrp\[1\]\.name repeats 'VI_1'/);
    expect(refusal([example, { ...example, name: 'VI_2' }]).message).toMatch(
      /^vrrp\[1\]\.virtualRouterId is 51 on eth0 already \(vrrp\[0\]\)/,
    );
  });
});
