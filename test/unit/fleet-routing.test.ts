// The fleet part of the serve config (`bgp`, `consistentHashing`) and the health-gated BGP
// announcements against a fake announcer fed a fake checker's quorum: what is announced at
// start, withdrawn on a quorum loss (all / any), retried after a failure, withdrawn on reload
// and on stop; the vtysh adapter's argv and its reading of vtysh's exit, with a stand-in vtysh.
import { EventEmitter } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../lib/cli/commands/serve.js';
import { BgpAnnouncements } from '../../lib/fleet/announcements.js';
import { FleetRouting } from '../../lib/fleet/routing.js';
import type { BgpConfig } from '../../lib/fleet/bgp-config.js';
import { parsePrefix, type Prefix } from '../../lib/fleet/prefix.js';
import { RouteAnnouncerError, type RouteAnnouncer } from '../../lib/fleet/route-announcer.js';
import { parseServeConfig } from '../../lib/fleet/serve-config.js';
import { VtyshAnnouncer, vtyshArgs } from '../../lib/fleet/vtysh.js';
import type { HealthEvents, QuorumChange } from '../../lib/health/events.js';
import type { LogRecord } from '../../lib/health/log.js';
import { captureOutput } from '../support/capture-output.js';

const WEB = 'tcp 10.99.0.1:80';
const DNS = 'udp 10.99.0.1:53';
const CONFIG = `services:
  - protocol: tcp
    address: 10.99.0.1
    port: 80
    destinations:
      - { address: 10.2.0.30, forward: dr }
      - { address: 10.2.0.20, forward: dr, weight: 2 }
      - { address: 10.2.0.100, forward: dr }
  - protocol: udp
    address: 10.99.0.1
    port: 53
    destinations:
      - { address: 10.2.0.20, forward: dr }
  - protocol: tcp
    address: 10.99.0.2
    port: 80
    destinations:
      - { address: 10.2.0.20, forward: dr }
bgp:
  asn: 65001
  vtySocket: /run/frr
  announce:
    - prefix: 10.99.0.1/32
    - { prefix: 10.99.0.2, services: ["${WEB}", "tcp 10.99.0.2:80"], when: any }
`;

function prefix(text: string): Prefix {
  const parsed = parsePrefix(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

describe('the serve config: bgp', () => {
  it('fills in the defaults and the services in each prefix', () => {
    const { bgp } = parseServeConfig(CONFIG, 'fleet.yaml');
    expect(bgp).toMatchObject({
      vtysh: '/usr/bin/vtysh',
      vtySocket: '/run/frr',
      asn: 65001,
      retryIntervalMs: 5000,
      reassertIntervalMs: 60_000,
      timeoutMs: 10_000,
    });
    expect(bgp?.announce.map((a) => [a.prefix.text, a.services, a.when])).toEqual([
      ['10.99.0.1/32', [WEB, DNS], 'all'],
      ['10.99.0.2/32', [WEB, 'tcp 10.99.0.2:80'], 'any'],
    ]);
  });

  it.each([
    ['  asn: 65001\n', '', /^fleet\.yaml:\d+: bgp\.asn is required/],
    ['asn: 65001', 'asn: 0', /^fleet\.yaml:20: bgp\.asn must be an integer 1-4294967295/],
    [
      'prefix: 10.99.0.1/32',
      'prefix: 10.99.0.1/24',
      /bgp\.announce\[0\]\.prefix has host bits set \(the network of 10\.99\.0\.1\/24 is 10\.99\.0\.0\/24\)/,
    ],
    [
      'prefix: 10.99.0.1/32',
      'prefix: 10.99.0.0/33',
      /bgp\.announce\[0\]\.prefix must have a prefix length 0-32/,
    ],
    [
      'prefix: 10.99.0.1/32',
      'prefix: 10.98.0.0/16',
      /bgp\.announce\[0\]\.services is needed: no service of the config has its address in 10\.98\.0\.0\/16/,
    ],
    [
      '"tcp 10.99.0.2:80"',
      '"tcp 10.99.0.3:80"',
      /^fleet\.yaml:24: bgp\.announce\[1\]\.services\[1\] names no service of the config/,
    ],
    ['when: any', 'when: most', /bgp\.announce\[1\]\.when must be all or any, got 'most'/],
    ['vtySocket: /run/frr', 'vtySocket: run/frr', /bgp\.vtySocket must be an absolute path/],
    ['vtySocket: /run/frr', 'vtyDir: /run/frr', /bgp\.vtyDir is not a known field/],
    [
      'prefix: 10.99.0.2,',
      'prefix: 10.99.0.1,',
      /bgp\.announce\[1\]\.prefix repeats 10\.99\.0\.1\/32 \(already bgp\.announce\[0\]\)/,
    ],
  ])('refuses %s -> %s with the field named', (from, to, message) => {
    expect(() => parseServeConfig(CONFIG.replace(from, to), 'fleet.yaml')).toThrow(message);
  });

  it('--check prints what each prefix is gated on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipvs-fleet-'));
    try {
      const file = join(dir, 'fleet.yaml');
      writeFileSync(file, `consistentHashing: true\n${CONFIG}`);
      const out = await captureOutput(run, file, '--check');
      expect(out.code).toBe(0);
      expect(out.stdout.split('\n').slice(1)).toEqual([
        '  consistent hashing: mh with mh-fallback, destinations in canonical order, sloppy_tcp/sctp',
        `  bgp 10.99.0.1/32: AS 65001, while all of ${WEB}, ${DNS} have quorum`,
        `  bgp 10.99.0.2/32: AS 65001, while any of ${WEB}, tcp 10.99.0.2:80 have quorum`,
        '',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the serve config: consistentHashing', () => {
  const config = (text: string) => parseServeConfig(`consistentHashing: true\n${text}`, 'mh.yaml');

  it('sets mh with mh-fallback and puts the real servers in address order', () => {
    const [web] = config(CONFIG).health.services;
    expect(web?.spec.scheduler).toBe('mh');
    expect(web?.spec.schedulerFlags).toEqual(['mh-fallback']);
    expect(web?.destinations.map((d) => [d.id, d.dest.weight])).toEqual([
      ['10.2.0.20:80', 2],
      ['10.2.0.30:80', 1],
      ['10.2.0.100:80', 1],
    ]);
    // Without the preset: the config's scheduler default and order.
    const plain = parseServeConfig(CONFIG, 'plain.yaml').health.services[0];
    expect(plain?.destinations.map((d) => d.id)).toEqual([
      '10.2.0.30:80',
      '10.2.0.20:80',
      '10.2.0.100:80',
    ]);
    expect(plain?.spec.scheduler).not.toBe('mh');
  });

  it('keeps mh-port when asked for, and refuses another scheduler or onFailure: remove', () => {
    const withPort = config(
      CONFIG.replace('port: 80\n', 'port: 80\n    schedulerFlags: [mh-port]\n'),
    );
    expect(withPort.health.services[0]?.spec.schedulerFlags).toEqual(['mh-port', 'mh-fallback']);
    expect(() => config(CONFIG.replace('port: 80\n', 'port: 80\n    scheduler: wlc\n'))).toThrow(
      /^mh\.yaml:\d+: services\[0\]\.scheduler must be mh or left out with consistentHashing: true, got 'wlc'/,
    );
    expect(() =>
      config(
        CONFIG.replace(
          '{ address: 10.2.0.30, forward: dr }',
          '{ address: 10.2.0.30, forward: dr, onFailure: remove }',
        ),
      ),
    ).toThrow(
      /services\[0\]\.destinations\[0\]\.onFailure cannot be remove with consistentHashing: true/,
    );
    expect(() => parseServeConfig(`consistentHashing: yes please\n${CONFIG}`, 'mh.yaml')).toThrow(
      /consistentHashing must be true or false/,
    );
  });
});

/** A checker as the announcements see it: a status list and 'quorum' events. */
class FakeChecker extends EventEmitter<HealthEvents> {
  readonly quorum = new Map<string, boolean>([
    [WEB, true],
    [DNS, true],
    ['tcp 10.99.0.2:80', true],
  ]);

  status() {
    return [...this.quorum].map(([service, quorumMet]) => ({ service, quorumMet }));
  }

  change(service: string, met: boolean): void {
    this.quorum.set(service, met);
    const change: QuorumChange = {
      service,
      met,
      healthyWeight: 0,
      quorum: 1,
      hysteresis: 0,
      sorryServer: undefined,
    };
    this.emit('quorum', change);
  }
}

/** Records each call; fails the next `failures` calls. */
class FakeAnnouncer implements RouteAnnouncer {
  readonly calls: string[] = [];
  failures = 0;

  constructor(readonly name = '') {}

  announce(p: Prefix): Promise<void> {
    return this.call(`${this.name}announce ${p.text}`);
  }

  withdraw(p: Prefix): Promise<void> {
    return this.call(`${this.name}withdraw ${p.text}`);
  }

  private call(what: string): Promise<void> {
    this.calls.push(what);
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(
        new RouteAnnouncerError(
          'vtysh: exit 1: Exiting: failed to connect to any daemons.',
          1,
          undefined,
          'Exiting: failed to connect to any daemons.',
        ),
      );
    }
    return Promise.resolve();
  }
}

function bgpConfig(text = CONFIG, fields: Partial<BgpConfig> = {}): BgpConfig {
  const { bgp } = parseServeConfig(text, 'fleet.yaml');
  if (!bgp) throw new Error('no bgp section');
  return { ...bgp, reassertIntervalMs: 0, ...fields };
}

function setup(config = bgpConfig()) {
  const checker = new FakeChecker();
  const announcers: FakeAnnouncer[] = [];
  const logs: LogRecord[] = [];
  const bgp = new BgpAnnouncements({
    config,
    announcerFor: (c) => {
      const announcer = new FakeAnnouncer(announcers.length === 0 ? '' : `AS${c.asn} `);
      announcers.push(announcer);
      return announcer;
    },
    log: (record) => logs.push(record),
  });
  const events = (name: string) =>
    logs.filter((r) => r.event === name).map((r) => `${String(r.prefix)}: ${String(r.reason)}`);
  return { checker, announcers, announcer: announcers[0] as FakeAnnouncer, logs, bgp, events };
}

describe('BgpAnnouncements', () => {
  it('announces at start what has quorum and withdraws what has not', async () => {
    const { checker, announcer, bgp, events } = setup();
    checker.quorum.set(DNS, false);
    bgp.start(checker);
    await bgp.idle();
    // 10.99.0.1 needs both of its services; 10.99.0.2 any of its two.
    expect(announcer.calls).toEqual(['withdraw 10.99.0.1/32', 'announce 10.99.0.2/32']);
    expect(events('bgp-withdraw')).toEqual([`10.99.0.1/32: start; no quorum: ${DNS}`]);
    expect(events('bgp-announce')).toEqual(['10.99.0.2/32: start; every service has quorum']);
    expect(bgp.status()).toEqual([
      { prefix: '10.99.0.1/32', wanted: 'withdrawn', told: 'withdrawn' },
      { prefix: '10.99.0.2/32', wanted: 'announced', told: 'announced' },
    ]);
  });

  it('follows the quorum: all withdraws on one loss, any only on the last', async () => {
    const { checker, announcer, bgp, events } = setup();
    bgp.start(checker);
    await bgp.idle();
    announcer.calls.length = 0;
    checker.change(WEB, false);
    await bgp.idle();
    expect(announcer.calls).toEqual(['withdraw 10.99.0.1/32']);
    checker.change('tcp 10.99.0.2:80', false);
    await bgp.idle();
    expect(announcer.calls).toEqual(['withdraw 10.99.0.1/32', 'withdraw 10.99.0.2/32']);
    expect(events('bgp-withdraw').at(-1)).toBe(
      `10.99.0.2/32: quorum lost: tcp 10.99.0.2:80; no quorum: ${WEB}, tcp 10.99.0.2:80`,
    );
    checker.change(WEB, true);
    await bgp.idle();
    expect(announcer.calls.slice(2)).toEqual(['announce 10.99.0.1/32', 'announce 10.99.0.2/32']);
    expect(events('bgp-announce').at(-1)).toBe(
      '10.99.0.2/32: quorum met: tcp 10.99.0.1:80; no quorum: tcp 10.99.0.2:80 (any suffices)',
    );
  });

  it('logs a failure with what vtysh said and tries again, without throwing', async () => {
    const { checker, announcer, bgp, logs } = setup(bgpConfig(CONFIG, { retryIntervalMs: 100 }));
    announcer.failures = 3; // both prefixes at start, then the first retry of the first
    bgp.start(checker);
    await bgp.idle();
    expect(logs.filter((r) => r.event === 'bgp-announce-failed')).toHaveLength(2);
    expect(logs.find((r) => r.event === 'bgp-announce-failed')).toMatchObject({
      level: 'error',
      prefix: '10.99.0.1/32',
      exitCode: 1,
      output: 'Exiting: failed to connect to any daemons.',
      retryInMs: 100,
    });
    for (let i = 0; i < 100 && bgp.status().some((s) => s.told === undefined); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await bgp.idle();
    }
    expect(bgp.status().map((s) => s.told)).toEqual(['announced', 'announced']);
    expect(
      announcer.calls.filter((c) => c === 'announce 10.99.0.1/32').length,
    ).toBeGreaterThanOrEqual(3);
    expect(logs.filter((r) => r.event === 'bgp-announce').map((r) => r.reason)).toEqual([
      'retry; every service has quorum',
      'retry; every service has quorum',
    ]);
  });

  it('tells the daemon everything again at each reassert, quietly when nothing changed', async () => {
    const { checker, announcer, bgp, logs } = setup(bgpConfig(CONFIG, { reassertIntervalMs: 50 }));
    bgp.start(checker);
    await bgp.idle();
    while (announcer.calls.length < 6) await new Promise((resolve) => setTimeout(resolve, 20));
    await bgp.stop();
    expect(announcer.calls.slice(0, 4)).toEqual([
      'announce 10.99.0.1/32',
      'announce 10.99.0.2/32',
      'announce 10.99.0.1/32',
      'announce 10.99.0.2/32',
    ]);
    const reasserts = logs.filter((r) => String(r.reason).startsWith('reassert'));
    expect(reasserts.length).toBeGreaterThan(0);
    expect(reasserts.every((r) => r.level === 'debug')).toBe(true);
  });

  it('on reload withdraws a removed prefix; with another ASN moves everything', async () => {
    const { checker, announcers, announcer, bgp } = setup();
    bgp.start(checker);
    await bgp.idle();
    announcer.calls.length = 0;
    const one = CONFIG.replace(/ {4}- \{ prefix: 10\.99\.0\.2.*\n/, '');
    bgp.refresh(bgpConfig(one));
    await bgp.idle();
    expect(announcer.calls).toEqual(['withdraw 10.99.0.2/32']);
    bgp.refresh(bgpConfig(one.replace('asn: 65001', 'asn: 65002')));
    await bgp.idle();
    expect(announcer.calls).toEqual(['withdraw 10.99.0.2/32', 'withdraw 10.99.0.1/32']);
    expect(announcers[1]?.calls).toEqual(['AS65002 announce 10.99.0.1/32']);
  });

  it('stop withdraws every prefix and stops following the quorum', async () => {
    const { checker, announcer, bgp, events } = setup();
    bgp.start(checker);
    await bgp.idle();
    announcer.calls.length = 0;
    await bgp.stop();
    expect(announcer.calls).toEqual(['withdraw 10.99.0.1/32', 'withdraw 10.99.0.2/32']);
    expect(events('bgp-withdraw')).toEqual(['10.99.0.1/32: stopping', '10.99.0.2/32: stopping']);
    expect(checker.listenerCount('quorum')).toBe(0);
    checker.change(WEB, false);
    await bgp.idle();
    expect(announcer.calls).toHaveLength(2);
  });
});

/** /proc/sys as FleetRouting sees it: the sloppy values, or absent when IPVS is not loaded. */
class FakeSysctls {
  readonly values = new Map<string, string>([
    ['net/ipv4/vs/sloppy_tcp', '0'],
    ['net/ipv4/vs/sloppy_sctp', '1'],
  ]);

  sysctl(path: string): Promise<string | undefined> {
    return Promise.resolve(this.values.get(path));
  }

  setSysctl(path: string, value: string): Promise<void> {
    this.values.set(path, value);
    return Promise.resolve();
  }
}

describe('FleetRouting', () => {
  it('sets the sloppy sysctls for the preset, logging what changed', async () => {
    const netns = new FakeSysctls();
    const logs: LogRecord[] = [];
    const config = parseServeConfig(`consistentHashing: true\n${CONFIG}`, 'fleet.yaml');
    const announcer = new FakeAnnouncer();
    const routing = await FleetRouting.start(config, {
      netns,
      checker: new FakeChecker(),
      log: (record) => logs.push(record),
      announcerFor: () => announcer,
    });
    expect([...netns.values.values()]).toEqual(['1', '1']);
    expect(logs.filter((r) => r.event === 'sysctl')).toMatchObject([
      { name: 'net.ipv4.vs.sloppy_tcp', from: '0', to: '1', reason: 'consistentHashing' },
    ]);
    await routing.stop();
    expect(announcer.calls).toEqual([
      'announce 10.99.0.1/32',
      'announce 10.99.0.2/32',
      'withdraw 10.99.0.1/32',
      'withdraw 10.99.0.2/32',
    ]);
    netns.values.clear();
    await expect(
      FleetRouting.start(config, { netns, checker: new FakeChecker(), log: () => undefined }),
    ).rejects.toThrow('net.ipv4.vs.sloppy_tcp does not exist here: is IPVS loaded?');
  });

  it('a reload without the bgp section withdraws everything; with it again, announces', async () => {
    const announcer = new FakeAnnouncer();
    const options = {
      netns: new FakeSysctls(),
      checker: new FakeChecker(),
      log: () => undefined,
      announcerFor: () => announcer,
    };
    const routing = await FleetRouting.start({ bgp: undefined, consistentHashing: false }, options);
    expect(routing.status()).toEqual([]);
    expect(options.netns.values.get('net/ipv4/vs/sloppy_tcp')).toBe('0');
    const withBgp = parseServeConfig(CONFIG, 'fleet.yaml');
    await routing.refresh(withBgp);
    await routing.refresh({ ...withBgp, bgp: undefined });
    expect(announcer.calls).toEqual([
      'announce 10.99.0.1/32',
      'announce 10.99.0.2/32',
      'withdraw 10.99.0.1/32',
      'withdraw 10.99.0.2/32',
    ]);
    await routing.stop();
    expect(announcer.calls).toHaveLength(4);
  });
});

describe('VtyshAnnouncer', () => {
  let dir: string;
  let fake: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ipvs-vtysh-'));
    fake = join(dir, 'vtysh');
    // A stand-in vtysh: records its argv, answers as FRR 8.4 does (measured in the lab).
    writeFileSync(
      fake,
      `#!/bin/sh
printf '%s|' "$@" >> "${dir}/calls"; echo >> "${dir}/calls"
case "$*" in
  *"no network 10.99.0.9/32"*) echo "% Can't find static route specified"; exit 1 ;;
  *"router bgp 65002"*) echo "BGP is already running; AS is 65001"; exit 1 ;;
  *"network 10.99.0.8/32"*) sleep 5 ;;
esac
exit 0
`,
    );
    chmodSync(fake, 0o755);
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds one configure session per change, in the family of the prefix', () => {
    const settings = {
      vtysh: '/usr/bin/vtysh',
      vtySocket: '/run/frr',
      asn: 65001,
      timeoutMs: 1000,
    };
    expect(vtyshArgs(settings, prefix('10.99.0.1/32'), true)).toEqual([
      '--vty_socket',
      '/run/frr',
      '-c',
      'configure terminal',
      '-c',
      'router bgp 65001',
      '-c',
      'address-family ipv4 unicast',
      '-c',
      'network 10.99.0.1/32',
    ]);
    expect(vtyshArgs({ ...settings, vtySocket: undefined }, prefix('2001:db8::1'), false)).toEqual([
      '-c',
      'configure terminal',
      '-c',
      'router bgp 65001',
      '-c',
      'address-family ipv6 unicast',
      '-c',
      'no network 2001:db8::1/128',
    ]);
  });

  it('runs vtysh; a withdrawal of what is not there is done, a refusal is an error', async () => {
    const vtysh = new VtyshAnnouncer({ vtysh: fake, vtySocket: dir, asn: 65001, timeoutMs: 2000 });
    await vtysh.announce(prefix('10.99.0.1/32'));
    await vtysh.withdraw(prefix('10.99.0.9/32'));
    expect(readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n')).toEqual([
      `--vty_socket|${dir}|-c|configure terminal|-c|router bgp 65001|-c|address-family ipv4 unicast|-c|network 10.99.0.1/32|`,
      `--vty_socket|${dir}|-c|configure terminal|-c|router bgp 65001|-c|address-family ipv4 unicast|-c|no network 10.99.0.9/32|`,
    ]);
    const wrongAs = new VtyshAnnouncer({
      vtysh: fake,
      vtySocket: dir,
      asn: 65002,
      timeoutMs: 2000,
    });
    await expect(wrongAs.announce(prefix('10.99.0.1/32'))).rejects.toMatchObject({
      message: 'vtysh network 10.99.0.1/32: exit 1: BGP is already running; AS is 65001',
      exitCode: 1,
      output: 'BGP is already running; AS is 65001',
    });
    const slow = new VtyshAnnouncer({ vtysh: fake, vtySocket: dir, asn: 65001, timeoutMs: 200 });
    await expect(slow.announce(prefix('10.99.0.8/32'))).rejects.toThrow(
      /vtysh network 10\.99\.0\.8\/32: no answer in 200 ms, killed/,
    );
    const missing = new VtyshAnnouncer({
      vtysh: join(dir, 'nothing'),
      vtySocket: undefined,
      asn: 1,
      timeoutMs: 200,
    });
    await expect(missing.announce(prefix('10.99.0.1/32'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
  }, 15_000);
});
