// The ipvsadm command-line parser and output formatters, without a kernel.
import { zeroStats } from '../support/stats.js';
import { describe, expect, it } from 'vitest';
import { detectFormat, stateFromRules } from '../../lib/apply/load.js';
import { plan } from '../../lib/state/plan.js';
import { normalise } from '../../lib/state/schema.js';
import { Namer } from '../../lib/ipvsadm/format/naming.js';
import { largeNumber } from '../../lib/ipvsadm/format/numbers.js';
import { serviceTable } from '../../lib/ipvsadm/format/services.js';
import { DEFAULT_LIST_FORMAT } from '../../lib/ipvsadm/command.js';
import { compareServices, glibcSort } from '../../lib/ipvsadm/format/sort.js';
import { extractGlobalOptions } from '../../lib/cli/global-options.js';
import { ServiceNames } from '../../lib/ipvsadm/names.js';
import type { Parsed } from '../../lib/ipvsadm/command.js';
import { CliExit } from '../../lib/ipvsadm/exit.js';
import { parseArgs } from '../../lib/ipvsadm/parse-args.js';
import { parseRules, RulesError } from '../../lib/ipvsadm/rules.js';
import type { Service } from '../../lib/index.js';

const services = ServiceNames.fromText('http 80/tcp www\nhttp 80/udp\ndomain 53/udp\n');
const noHosts = (): undefined => undefined;
const parse = (line: string): Parsed =>
  parseArgs(line.split(' '), { program: 'ipvsadm', services, resolveHost: noHosts });

function refusal(line: string): { code: number; stderr: string } {
  try {
    parse(line);
  } catch (error) {
    if (error instanceof CliExit) return { code: error.code, stderr: error.stderr };
    throw error;
  }
  throw new Error(`accepted: ${line}`);
}

describe('parseArgs: ipvsadm defaults', () => {
  it('a service gets wlc; a real server gets -g, weight 1 and the virtual port', () => {
    expect(parse('-A -t 10.0.0.1:http')).toEqual({
      kind: 'operation',
      operation: {
        op: 'addService',
        service: { protocol: 'tcp', address: '10.0.0.1', port: 80, scheduler: 'wlc' },
      },
    });
    expect(parse('-a -t 10.0.0.1:80 -r 10.0.0.9:8080')).toEqual({
      kind: 'operation',
      operation: {
        op: 'addDestination',
        service: { protocol: 'tcp', address: '10.0.0.1', port: 80 },
        destination: {
          address: '10.0.0.9',
          port: 80,
          forward: 'route',
          weight: 1,
          upperThreshold: 0,
          lowerThreshold: 0,
        },
      },
    });
  });

  it('masquerading keeps the given port; a bare -p means 360 s; clustered short options work', () => {
    expect(parse('-a -u 10.0.0.1:domain -r 10.0.0.9:5353 -m -w5')).toMatchObject({
      operation: { destination: { port: 5353, forward: 'masq', weight: 5 } },
    });
    expect(parse('-A -t [2001:db8::1]:80 -p -M 64')).toMatchObject({
      operation: { service: { persistence: 360, netmask: 64 } },
    });
    expect(parse('-Ln --stats')).toMatchObject({
      kind: 'list',
      what: 'all',
      format: { numeric: true, stats: true },
    });
  });

  it('tunnels: gue needs a port, gre takes no port', () => {
    expect(
      parse('-a -t 1.1.1.1:80 -r 2.2.2.2 -i --tun-type gue --tun-port 6080 --tun-remcsum'),
    ).toMatchObject({
      operation: {
        destination: {
          forward: 'tunnel',
          tunnel: { type: 'gue', port: 6080, checksum: 'remcsum' },
        },
      },
    });
    expect(refusal('-a -t 1.1.1.1:80 -r 2.2.2.2 -i --tun-type gue').stderr).toBe(
      "You need to supply the 'tun-port' option for the 'gue' tunnel type\n",
    );
    expect(refusal('-a -t 1.1.1.1:80 -r 2.2.2.2 -i --tun-type gre --tun-port 1').stderr).toBe(
      "Illegal 'tun-port' option with the 'gre' tunnel type\n",
    );
  });
});

describe('parseArgs: ipvsadm refusals', () => {
  it.each([
    ['-A -t 1.1.1.1', 2, 'Zero port specified for non-persistent service\n'],
    ['-A -t 1.1.1.1:80 -o', 2, 'One-Packet Scheduling is only for UDP virtual services\n'],
    [
      '-a -t 1.1.1.1:80',
      2,
      "You need to supply the 'real-server' option for the 'add-server' command\n",
    ],
    ['-L -s rr', 2, "Illegal 'scheduler' option with the 'list' command\n"],
    ['-A -t 1.1.1.1:80 -s rr -s wrr', 2, "multiple 'scheduler' options specified\n"],
    [
      '-L -c --timeout',
      2,
      "The option 'timeout' conflicts with the 'connection' option in the 'list' command\n",
    ],
    ['-Lx', 255, '-Lx: missing argument\n'],
    ['-L --bogus', 255, '--bogus: unknown option\n'],
    ['-n -L', 255, "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n"],
    ['-L -A', 2, "invalid option `-A'\n"],
    ['-A -6 -f 1', 2, '-6 used before -f\n\n'],
    [
      '-a -t 1.1.1.1:80 -r [2001:db8::1]:80',
      2,
      'Different address family is allowed only for tunneling servers\n',
    ],
    ['--set 1 2', 2, '--set option requires 3 timeout values\n'],
    ['-L extra', 2, 'unexpected argument extra\n'],
  ])('%s', (line, code, stderr) => {
    expect(refusal(line)).toEqual({ code, stderr });
  });
});

describe('--netns, --json, --extended', () => {
  it('are taken out of the ipvsadm command line', () => {
    expect(extractGlobalOptions(['-Ln', '--netns', 'lb', '--json'])).toEqual({
      netns: '/run/netns/lb',
      json: true,
      extended: false,
      rest: ['-Ln'],
    });
    expect(extractGlobalOptions(['-S', '--netns=/proc/1/ns/net', '--extended'])).toEqual({
      netns: '/proc/1/ns/net',
      json: false,
      extended: true,
      rest: ['-S'],
    });
  });
});

const svc = (address: string, port: number): Service => ({
  protocol: 'tcp',
  address,
  port,
  family: 'ipv4',
  scheduler: 'wlc',
  persistence: 0,
  netmask: '255.255.255.255',
  onePacket: false,
  schedulerFlags: [],
  flags: [],
  stats: zeroStats,
  destinations: [],
});

describe('formatters', () => {
  it('print_largenum: K/M/G/T, and --exact widths', () => {
    expect(largeNumber(99_999_999n, false)).toBe(' 99999999');
    expect(largeNumber(123_456_789n, false)).toBe('  123456K');
    expect(largeNumber(12_345_678_901n, false)).toBe('   12345M');
    expect(largeNumber(123_456_789_012_345n, false)).toBe('     123T');
    expect(largeNumber(123_456_789_012n, true)).toBe(' 123456789012');
  });

  it('sorts as ipvsadm does, wrapped comparisons included (10.x after 192.x)', () => {
    const sorted = glibcSort(
      [svc('10.0.0.1', 80), svc('192.168.0.1', 80), svc('192.168.0.1', 22)],
      compareServices,
    );
    expect(sorted.map((s) => `${s.address ?? ''}:${s.port ?? 0}`)).toEqual([
      '192.168.0.1:22',
      '192.168.0.1:80',
      '10.0.0.1:80',
    ]);
  });

  it('lists and saves with names unless numeric', () => {
    const table = [{ ...svc('127.0.0.1', 80), destinations: [] }];
    const info = { version: '1.2.1', versionCode: 0x10201, connectionTableSize: 4096 };
    const format = { ...DEFAULT_LIST_FORMAT, rule: false, extended: false };
    const names = new Namer(false, new Map([['127.0.0.1', 'localhost']]), services);
    expect(serviceTable(table, info, format, names)).toBe(
      'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\nTCP  localhost:http wlc\n',
    );
    expect(
      serviceTable(
        table,
        info,
        { ...format, rule: true, numeric: true },
        new Namer(true, new Map(), services),
      ),
    ).toBe('-A -t 127.0.0.1:80 -s wlc\n');
  });
});

describe('rules files and desired states', () => {
  it('-R input: comments and blank lines allowed, errors name the line', () => {
    expect(parseRules('# x\n\nipvsadm -A -t 1.1.1.1:80 -s rr\n', services)).toHaveLength(1);
    expect(() =>
      parseRules('-A -t 1.1.1.1:80\n-a -t 1.1.1.1:80 -r 2.2.2.2 -w x\n', services),
    ).toThrow(new RulesError(2, 'illegal weight specified', 2));
    expect(() => parseRules('-Ln\n', services)).toThrow(
      /line 1: only commands that change the table/,
    );
  });

  it('reads a rules file as a desired state, and plans edits rather than delete + add', () => {
    expect(detectFormat('x', '-A -t 1.1.1.1:80\n')).toBe('rules');
    expect(detectFormat('x', 'services: []\n')).toBe('yaml');
    const want = normalise(
      stateFromRules('-A -t 1.1.1.1:80 -s rr\n-a -t 1.1.1.1:80 -r 2.2.2.2 -w 3\n'),
    );
    const have = normalise({
      services: [
        {
          protocol: 'tcp',
          address: '1.1.1.1',
          port: 80,
          scheduler: 'wlc',
          destinations: [{ address: '2.2.2.2', weight: 1 }, { address: '2.2.2.3' }],
        },
      ],
    });
    expect(plan(have, want).map((s) => `${s.op} ${s.why}`)).toEqual([
      'editService scheduler wlc -> rr',
      'editDestination weight 1 -> 3',
    ]);
    // Deletions come last, so the service never holds fewer servers on the way than at either end.
    expect(plan(have, want, { prune: true }).map((s) => s.op)).toEqual([
      'editService',
      'editDestination',
      'deleteDestination',
    ]);
    expect(plan(want, want)).toEqual([]);
  });

  it('a tunnel destination without tunnel settings is the ipip one the kernel reports', () => {
    const service = { protocol: 'tcp', address: '1.1.1.1', port: 80 } as const;
    const have = normalise({
      services: [
        {
          ...service,
          destinations: [
            { address: '2.2.2.2', forward: 'tunnel', tunnel: { type: 'ipip', checksum: 'none' } },
          ],
        },
      ],
    });
    const want = normalise({
      services: [{ ...service, destinations: [{ address: '2.2.2.2', forward: 'tunnel' }] }],
    });
    expect(plan(have, want)).toEqual([]);
  });

  it('validation names the path', () => {
    expect(() =>
      normalise({
        services: [
          { protocol: 'tcp', address: '1.1.1.1', port: 80, destinations: [{ address: 'nope' }] },
        ],
      }),
    ).toThrow(/services\[0\]\.destinations\[0\]\.address/);
  });
});
