// prepareRealServer, its undo, checkDirector and checkRealServer, and their CLI commands, against
// real namespaces: every finding is provoked and then seen to go away.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  checkDirector,
  checkRealServer,
  NetConfigError,
  prepareRealServer,
  undoRealServer,
  type Finding,
} from '../../lib/index.js';
import { run as checkDirectorCli } from '../../lib/cli/commands/check-director.js';
import { run as checkRealServerCli } from '../../lib/cli/commands/check-real-server.js';
import { run as prepareCli } from '../../lib/cli/commands/prepare-real-server.js';
import { netnsPath, Topology } from '../support/topology.js';

const VIP = '192.168.8.200';
const net = new Topology('ipvs-rs');
let director: string;
let rs: string;

beforeAll(() => {
  const lan = net.bridge('br-lan');
  director = net.host('director', [
    { ifname: 'ens33', bridge: lan, addresses: ['192.168.8.10/24', '10.0.0.1/24'] },
  ]);
  rs = net.host('rs', [
    { ifname: 'eth0', bridge: lan, addresses: ['192.168.8.20/24', '10.0.0.20/24'] },
  ]);
});

afterAll(() => {
  net.destroy();
});

const codes = (findings: readonly Finding[]) => findings.map((f) => f.code).sort();
const sysctl = (ns: string, ...names: string[]) =>
  net
    .exec(ns, 'sysctl', '-n', ...names)
    .trim()
    .split('\n');
const drCheck = () => checkRealServer({ vip: VIP, mode: 'dr', netns: netnsPath(rs) });

/** What a CLI command printed and returned. */
async function cli(
  run: (argv: readonly string[]) => Promise<number>,
  ...argv: string[]
): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk) => ((out += String(chunk)), true));
  const stderr = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    return { status: await run(argv), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describe('prepareRealServer and its undo', () => {
  it('changes nothing the second time, and its undo restores exactly what was there', async () => {
    net.exec(rs, 'sysctl', '-qw', 'net.ipv4.conf.all.arp_announce=1');
    const first = await prepareRealServer({ vip: VIP, mode: 'dr', netns: netnsPath(rs) });
    expect(first.changes).toContainEqual({
      kind: 'sysctl',
      path: 'net/ipv4/conf/all/arp_announce',
      from: '1',
      to: '2',
    });
    const second = await prepareRealServer({ vip: VIP, mode: 'dr', netns: netnsPath(rs) });
    expect(second.changes).toEqual([]);
    await first.undo();
    expect(
      sysctl(
        rs,
        'net.ipv4.conf.all.arp_ignore',
        'net.ipv4.conf.all.arp_announce',
        'net.ipv4.conf.lo.arp_ignore',
        'net.ipv4.conf.lo.arp_announce',
      ),
    ).toEqual(['0', '1', '0', '0']);
    expect(net.exec(rs, 'ip', '-o', 'address', 'show', 'dev', 'lo')).not.toContain(VIP);
    expect(codes(await drCheck())).toEqual(['arp-announce', 'arp-ignore', 'vip-missing']);
  });

  it("undoes a preparation without its record (the CLI's --undo)", async () => {
    await prepareRealServer({ vip: VIP, mode: 'dr', netns: netnsPath(rs) });
    const undone = await undoRealServer({ vip: VIP, mode: 'dr', netns: netnsPath(rs) });
    expect(undone.map((c) => c.kind)).toEqual(['address', 'sysctl', 'sysctl', 'sysctl', 'sysctl']);
    expect(sysctl(rs, 'net.ipv4.conf.all.arp_ignore', 'net.ipv4.conf.all.arp_announce')).toEqual([
      '0',
      '0',
    ]);
    expect(await undoRealServer({ vip: VIP, mode: 'dr', netns: netnsPath(rs) })).toEqual([]);
  });

  it('rejects with the errno when the namespace does not exist', async () => {
    const error = await prepareRealServer({
      vip: VIP,
      mode: 'dr',
      netns: '/run/netns/no-such-namespace',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetConfigError);
    expect(error).toMatchObject({
      code: 'ENOENT',
      errno: 2,
      netns: '/run/netns/no-such-namespace',
    });
  });

  it('rejects bad input naming the field, before touching the namespace', async () => {
    await expect(
      prepareRealServer({ vip: '192.168.8.300', mode: 'dr', netns: netnsPath(rs) }),
    ).rejects.toThrow(/options\.vip/);
    await expect(
      prepareRealServer({ vip: VIP, mode: 'nat', netns: netnsPath(rs) }),
    ).rejects.toThrow(/options\.mode/);
    expect(net.exec(rs, 'ip', '-o', 'address', 'show', 'dev', 'lo')).not.toContain(VIP);
  });
});

describe('the real server checks, each finding provoked', () => {
  it('vip-missing names the device the VIP is on instead', async () => {
    net.exec(rs, 'ip', 'address', 'add', `${VIP}/32`, 'dev', 'eth0');
    try {
      const vipFinding = (await drCheck()).find((f) => f.code === 'vip-missing');
      expect(vipFinding?.message).toContain(
        'it is on eth0, where the real server answers ARP for it',
      );
      expect(vipFinding?.fix).toBe(`ipvs prepare-real-server --vip ${VIP} --mode dr`);
    } finally {
      net.exec(rs, 'ip', 'address', 'del', `${VIP}/32`, 'dev', 'eth0');
    }
  });

  it('arp-only-on-lo: the ARP settings on lo alone leave eth0 answering', async () => {
    net.exec(rs, 'ip', 'address', 'add', `${VIP}/32`, 'dev', 'lo');
    net.exec(
      rs,
      'sysctl',
      '-qw',
      'net.ipv4.conf.lo.arp_ignore=1',
      'net.ipv4.conf.lo.arp_announce=2',
    );
    try {
      const findings = await drCheck();
      expect(codes(findings)).toEqual(['arp-only-on-lo']);
      expect(findings[0]?.message).toContain('arp_ignore and arp_announce are set on lo only');
      expect(findings[0]?.fix).toBe(
        'sysctl -w net.ipv4.conf.all.arp_ignore=1 && sysctl -w net.ipv4.conf.all.arp_announce=2',
      );
      // Set per interface instead of on all, it is enough.
      net.exec(
        rs,
        'sysctl',
        '-qw',
        'net.ipv4.conf.eth0.arp_ignore=1',
        'net.ipv4.conf.eth0.arp_announce=2',
      );
      expect(await drCheck()).toEqual([]);
    } finally {
      net.exec(
        rs,
        'sysctl',
        '-qw',
        'net.ipv4.conf.eth0.arp_ignore=0',
        'net.ipv4.conf.eth0.arp_announce=0',
        'net.ipv4.conf.lo.arp_ignore=0',
        'net.ipv4.conf.lo.arp_announce=0',
      );
      net.exec(rs, 'ip', 'address', 'del', `${VIP}/32`, 'dev', 'lo');
    }
  });

  it('tunl0-missing, tunl0-down and rp-filter for TUN', async () => {
    net.exec(rs, 'ip', 'link', 'set', 'tunl0', 'name', 'tunl0old');
    try {
      expect(codes(await checkRealServer({ vip: VIP, mode: 'tun', netns: netnsPath(rs) }))).toEqual(
        ['arp-announce', 'arp-ignore', 'tunl0-missing', 'vip-missing'],
      );
    } finally {
      net.exec(rs, 'ip', 'link', 'set', 'tunl0old', 'name', 'tunl0');
    }
    net.exec(rs, 'sysctl', '-qw', 'net.ipv4.conf.tunl0.rp_filter=2');
    const prepared = await prepareRealServer({ vip: VIP, mode: 'tun', netns: netnsPath(rs) });
    expect(await checkRealServer({ vip: VIP, mode: 'tun', netns: netnsPath(rs) })).toEqual([]);
    net.exec(rs, 'ip', 'link', 'set', 'tunl0', 'down');
    net.exec(rs, 'sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=1');
    const findings = await checkRealServer({ vip: VIP, mode: 'tun', netns: netnsPath(rs) });
    expect(codes(findings)).toEqual(['rp-filter', 'tunl0-down']);
    expect(findings.find((f) => f.code === 'rp-filter')?.fix).toBe(
      'sysctl -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.tunl0.rp_filter=0',
    );
    net.exec(rs, 'ip', 'link', 'set', 'tunl0', 'up');
    net.exec(rs, 'sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0');
    await prepared.undo();
    expect(sysctl(rs, 'net.ipv4.conf.tunl0.rp_filter')).toEqual(['2']);
    expect(net.exec(rs, 'ip', '-o', 'link', 'show', 'tunl0')).not.toMatch(/[<,]UP[,>]/);
  });

  it('default-route for NAT: missing, then via another router, then via the director', async () => {
    const nat = () =>
      checkRealServer({ vip: VIP, mode: 'nat', director: '10.0.0.1', netns: netnsPath(rs) });
    expect((await nat())[0]?.message).toContain('it has no default route');
    net.exec(rs, 'ip', 'route', 'add', 'default', 'via', '192.168.8.10');
    expect((await nat())[0]?.message).toContain('its default route is via 192.168.8.10');
    net.exec(rs, 'ip', 'route', 'replace', 'default', 'via', '10.0.0.1');
    expect(await nat()).toEqual([]);
    await expect(checkRealServer({ vip: VIP, mode: 'nat', netns: netnsPath(rs) })).rejects.toThrow(
      /director is required/,
    );
  });
});

describe('the director checks', () => {
  it('vip-missing and ip-forward-off, then none', async () => {
    expect(
      codes(await checkDirector({ vip: VIP, mode: 'nat', netns: netnsPath(director) })),
    ).toEqual(['ip-forward-off', 'vip-missing']);
    expect(
      codes(await checkDirector({ vip: VIP, mode: 'dr', netns: netnsPath(director) })),
    ).toEqual(['vip-missing']);
    net.exec(director, 'ip', 'address', 'add', `${VIP}/32`, 'dev', 'ens33', 'label', 'ens33:0');
    net.exec(director, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    expect(await checkDirector({ vip: VIP, mode: 'nat', netns: netnsPath(director) })).toEqual([]);
  });
});

describe('the CLI commands', () => {
  it('prepare-real-server prints each change, then nothing to change, and --undo reverts', async () => {
    const name = rs;
    let r = await cli(prepareCli, '--vip', VIP, '--mode', 'dr', '--netns', name);
    expect(r).toMatchObject({ status: 0, err: '' });
    expect(r.out.split('\n')).toEqual([
      `set: ${VIP}/32 on lo`,
      'set: net.ipv4.conf.all.arp_ignore 0 -> 1',
      'set: net.ipv4.conf.all.arp_announce 0 -> 2',
      'set: net.ipv4.conf.lo.arp_ignore 0 -> 1',
      'set: net.ipv4.conf.lo.arp_announce 0 -> 2',
      '',
    ]);
    r = await cli(prepareCli, '--vip', VIP, '--mode', 'dr', '--netns', name);
    expect(r.out).toBe('already prepared: nothing to change\n');
    r = await cli(checkRealServerCli, '--vip', VIP, '--mode', 'dr', '--netns', name);
    expect(r).toMatchObject({ status: 0, out: 'real server: no problems found\n' });
    r = await cli(prepareCli, '--vip', VIP, '--mode', 'dr', '--netns', netnsPath(name), '--undo');
    expect(r.status).toBe(0);
    expect(r.out).toContain(`undone: ${VIP}/32 on lo`);
    r = await cli(checkRealServerCli, '--vip', VIP, '--mode', 'dr', '--netns', name);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(
      /^real server: 3 problems\n {2}vip-missing: .*\n {4}fix: ipvs prepare-real-server/,
    );
  });

  it('check-director and usage errors', async () => {
    const ok = await cli(checkDirectorCli, '--vip', VIP, '--mode', 'nat', '--netns', director);
    expect(ok).toEqual({ status: 0, out: 'director: no problems found\n', err: '' });
    const usage = await cli(checkDirectorCli, '--vip', VIP);
    expect(usage.status).toBe(2);
    expect(usage.err).toContain('--mode is required');
    const bad = await cli(checkRealServerCli, '--vip', 'not-an-ip', '--mode', 'dr', '--netns', rs);
    expect(bad.status).toBe(1);
    expect(bad.err).toContain('checkRealServer options.vip');
  });
});
