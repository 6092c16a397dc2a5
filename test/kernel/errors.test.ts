// Kernel refusals become IpvsError (errno, code, op, target, a readable message); bad input is a
// TypeError or RangeError naming the field, and nothing a call rejected changes the table.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Ipvs, IpvsError } from '../../lib/index.js';
import { addLan, failureOf, ipvsErrorOf, run, saved } from '../support/ipvs-test.js';
import { sh } from '../support/sh.js';

let ipvs: Ipvs;
const svc = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;
const missingSvc = { protocol: 'tcp', address: '192.168.8.200', port: 9999 } as const;
const bare = `ipvs-err-${process.pid}`;
let bareIpvs: Ipvs | undefined;

beforeAll(async () => {
  addLan();
  ipvs = await Ipvs.open();
  sh('ip', 'netns', 'add', bare);
});

afterAll(() => {
  ipvs.close();
  bareIpvs?.close();
  sh('ip', 'netns', 'del', bare);
});

const base = ['-A -t 192.168.8.200:80 -s rr', '-a -t 192.168.8.200:80 -r 192.168.8.20:80 -g -w 1'];

// Every test starts from the same table, set by ipvsadm itself (one process: under QEMU each
// spawn costs a noticeable part of a second, and this runs before each of some fifty tests).
beforeEach(() => {
  const restored = spawnSync('ipvsadm', ['-R'], {
    input: ['-C', ...base, ''].join('\n'),
    encoding: 'utf8',
  });
  if (restored.status !== 0) throw new Error(`ipvsadm -R: ${restored.stderr}`);
});

describe('kernel refusals', () => {
  it('EEXIST for a duplicate service', async () => {
    const error = await ipvsErrorOf(() => ipvs.addService({ ...svc, scheduler: 'wrr' }));
    expect(error).toMatchObject({
      errno: 17,
      code: 'EEXIST',
      op: 'addService',
      target: 'service tcp 192.168.8.200:80',
      index: undefined,
    });
    expect(error.message).toContain('service tcp 192.168.8.200:80 already exists');
    expect(saved()).toEqual(base);
  });

  it('EEXIST for a duplicate destination', async () => {
    const error = await ipvsErrorOf(() =>
      ipvs.addDestination(svc, { address: '192.168.8.20', weight: 5 }),
    );
    expect(error).toMatchObject({
      errno: 17,
      code: 'EEXIST',
      op: 'addDestination',
      target: 'destination 192.168.8.20:80 of service tcp 192.168.8.200:80',
    });
    expect(error.message).toContain('already exists');
    expect(saved()).toEqual(base);
  });

  it('ESRCH for a destination of a missing service, and for deleting a missing service', async () => {
    const add = await ipvsErrorOf(() =>
      ipvs.addDestination(missingSvc, { address: '192.168.8.21' }),
    );
    expect(add).toMatchObject({
      errno: 3,
      code: 'ESRCH',
      op: 'addDestination',
      target: 'destination 192.168.8.21:9999 of service tcp 192.168.8.200:9999',
    });
    expect(add.message).toContain('its service does not exist');
    const del = await ipvsErrorOf(() => ipvs.deleteService(missingSvc));
    expect(del).toMatchObject({
      errno: 3,
      code: 'ESRCH',
      op: 'deleteService',
      target: 'service tcp 192.168.8.200:9999',
    });
    expect(del.message).toContain('does not exist');
    expect(saved()).toEqual(base);
  });

  it('ENOENT for deleting a missing destination', async () => {
    const error = await ipvsErrorOf(() => ipvs.deleteDestination(svc, { address: '192.168.8.21' }));
    expect(error).toMatchObject({
      errno: 2,
      code: 'ENOENT',
      op: 'deleteDestination',
      target: 'destination 192.168.8.21:80 of service tcp 192.168.8.200:80',
    });
    expect(error.message).toContain('does not exist');
    expect(saved()).toEqual(base);
  });

  it('EINVAL for a direct-routing destination with no route, as ipvsadm sees it', async () => {
    bareIpvs = await Ipvs.open({ netns: `/run/netns/${bare}` });
    await bareIpvs.addService({ ...svc, scheduler: 'rr' });
    const error = await ipvsErrorOf(() =>
      bareIpvs?.addDestination(svc, { address: '192.168.8.20', forward: 'route' }),
    );
    expect(error).toMatchObject({
      errno: 22,
      code: 'EINVAL',
      op: 'addDestination',
      target: 'destination 192.168.8.20:80 of service tcp 192.168.8.200:80',
    });
    expect(error.message).toMatch(/route/);
    expect(() =>
      run(bare, 'ipvsadm', '-a', '-t', '192.168.8.200:80', '-r', '192.168.8.20:80', '-g'),
    ).toThrow(/Invalid operation|Invalid argument/);
    expect(saved(bare)).toEqual(['-A -t 192.168.8.200:80 -s rr']);
    expect(saved()).toEqual(base);
  });

  // The child runs the library without CAP_NET_ADMIN in the initial user namespace: as root with
  // that capability dropped (setpriv), and, where the kernel allows it, as "root" of a new user
  // namespace (unshare -U -r). The lab runs its commands in a chroot, where unshare(CLONE_NEWUSER)
  // itself fails with EPERM (user_namespaces(7)), so that form is tried and reported separately.
  function childReport(wrapper: [string, ...string[]]): {
    status: number | null;
    stderr: string;
    report: Record<string, unknown>;
  } {
    const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
    const script = `
      const { Ipvs } = await import(${JSON.stringify(`${root}/dist/index.js`)});
      let report;
      try {
        const ipvs = await Ipvs.open();
        try { await ipvs.addService({ protocol: 'tcp', address: '192.168.8.201', port: 80 }); report = { ok: true }; }
        finally { ipvs.close(); }
      } catch (e) { report = { name: e.name, code: e.code, errno: e.errno, op: e.op, message: e.message }; }
      console.log(JSON.stringify(report));`;
    // The compiled package (test/run-kernel-suites.ts builds dist/ before the guest boots): under
    // TCG, a cold tsx compiling lib/ took 35 s of this file's 74.
    const [file, ...pre] = wrapper;
    const child = spawnSync(file, [...pre, process.execPath, '--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: root,
    });
    const last = child.stdout.trim().split('\n').at(-1) ?? '';
    return {
      status: child.status,
      stderr: child.stderr,
      report: (last.startsWith('{') ? JSON.parse(last) : {}) as Record<string, unknown>,
    };
  }

  it('EPERM, with the CAP_NET_ADMIN sentence, for root without CAP_NET_ADMIN', () => {
    const { status, stderr, report } = childReport([
      'setpriv',
      '--bounding-set=-net_admin',
      '--inh-caps=-net_admin',
    ]);
    expect(status, stderr).toBe(0);
    expect(report).toMatchObject({ name: 'IpvsError', code: 'EPERM', errno: 1 });
    // The handle probes IPVS at open (native/ipvs/client.cc), so open itself may be the refusal.
    expect(['open', 'addService']).toContain(report.op);
    expect(report.message).toMatch(/CAP_NET_ADMIN/);
    expect(saved()).toEqual(base);
  });

  it('EPERM, with the CAP_NET_ADMIN sentence, in a new user namespace (unshare -U -r)', () => {
    const { status, stderr, report } = childReport(['unshare', '-U', '-r']);
    if (/unshare failed: Operation not permitted/.test(stderr)) {
      // Only a chroot excuses this: then / is not init's root.
      const [here, init] = [statSync('/'), statSync('/proc/1/root/')];
      expect(
        here.dev === init.dev && here.ino === init.ino,
        `unshare -U refused outside a chroot: ${stderr}`,
      ).toBe(false);
      return;
    }
    expect(status, stderr).toBe(0);
    expect(report).toMatchObject({ name: 'IpvsError', code: 'EPERM', errno: 1 });
    expect(report.message).toMatch(/CAP_NET_ADMIN/);
    expect(saved()).toEqual(base);
  });

  it('a batch reports each operation on its own, with its index', async () => {
    const results = await ipvs.batch((b) => {
      b.addService({ protocol: 'udp', address: '192.168.8.200', port: 53, scheduler: 'rr' });
      b.addService({ ...svc, scheduler: 'rr' });
      b.addDestination(missingSvc, { address: '192.168.8.21' });
      b.addDestination(svc, { address: '192.168.8.21' });
    });
    expect(results.map((r) => r.ok)).toEqual([true, false, false, true]);
    const [, dup, orphan] = results;
    expect(dup?.ok === false && dup.error).toMatchObject({
      code: 'EEXIST',
      op: 'addService',
      index: 1,
    });
    expect(orphan?.ok === false && orphan.error).toMatchObject({
      code: 'ESRCH',
      op: 'addDestination',
      index: 2,
    });
    expect(dup?.ok === false && dup.error.message).toMatch(/^batch operation 1 \(addService\): /);
    expect(saved()).toEqual(
      [
        ...base,
        '-A -u 192.168.8.200:53 -s rr',
        '-a -t 192.168.8.200:80 -r 192.168.8.21:80 -g -w 1',
      ].sort(),
    );
  });
});

type Call = (ipvs: Ipvs) => unknown;
const v6svc = { protocol: 'tcp', address: '2001:db8:8::200', port: 80 } as const;

const badInput: [string, Call, TypeErrorConstructor | RangeErrorConstructor, RegExp][] = [
  [
    'service not an object',
    (i) => i.addService(null as never),
    TypeError,
    /^service must be an object/,
  ],
  [
    'fwmark with an address',
    (i) => i.addService({ fwmark: 1, address: '192.168.8.200' }),
    TypeError,
    /fwmark.*address/,
  ],
  ['fwmark 0', (i) => i.addService({ fwmark: 0 }), RangeError, /service\.fwmark/],
  ['fwmark above 2^32-1', (i) => i.addService({ fwmark: 2 ** 32 }), RangeError, /service\.fwmark/],
  [
    'unknown family',
    (i) => i.addService({ fwmark: 1, family: 'ipv5' as never }),
    TypeError,
    /service\.family/,
  ],
  [
    'family not that of the address',
    (i) => i.getService({ ...svc, family: 'ipv6' } as never),
    TypeError,
    /service\.family/,
  ],
  [
    'unknown protocol',
    (i) => i.addService({ ...svc, protocol: 'icmp' as never }),
    TypeError,
    /service\.protocol/,
  ],
  [
    'bad address',
    (i) => i.addService({ ...svc, address: '300.1.2.3' }),
    TypeError,
    /service\.address/,
  ],
  [
    'address not a string',
    (i) => i.deleteService({ ...svc, address: 3232237768 as never }),
    TypeError,
    /service\.address/,
  ],
  ['port 70000', (i) => i.addService({ ...svc, port: 70000 }), RangeError, /service\.port/],
  ['port not an integer', (i) => i.addService({ ...svc, port: 80.5 }), RangeError, /service\.port/],
  [
    'port a string',
    (i) => i.addService({ ...svc, port: '80' as never }),
    TypeError,
    /service\.port/,
  ],
  [
    'port 0 without persistence',
    (i) => i.addService({ ...svc, port: 0 }),
    RangeError,
    /service\.port/,
  ],
  [
    'unknown field',
    (i) => i.addService({ ...svc, weight: 1 } as never),
    TypeError,
    /unknown field 'weight'/,
  ],
  [
    'bad scheduler name',
    (i) => i.addService({ ...svc, scheduler: 'r r' }),
    TypeError,
    /service\.scheduler/,
  ],
  [
    'negative persistence',
    (i) => i.addService({ ...svc, persistence: -1 }),
    RangeError,
    /service\.persistence/,
  ],
  [
    'netmask without persistence',
    (i) => i.addService({ ...svc, netmask: '255.255.255.0' }),
    TypeError,
    /service\.netmask/,
  ],
  [
    'non-contiguous netmask',
    (i) => i.addService({ ...svc, persistence: true, netmask: '255.0.255.0' }),
    RangeError,
    /service\.netmask/,
  ],
  [
    'IPv6 prefix 129',
    (i) => i.addService({ ...v6svc, persistence: true, netmask: 129 }),
    RangeError,
    /service\.netmask/,
  ],
  [
    'persistence engine without persistence',
    (i) => i.addService({ ...svc, persistenceEngine: 'sip' }),
    TypeError,
    /service\.persistenceEngine/,
  ],
  [
    'onePacket on tcp',
    (i) => i.addService({ ...svc, onePacket: true }),
    TypeError,
    /service\.onePacket/,
  ],
  [
    'sh flag on rr',
    (i) => i.addService({ ...svc, scheduler: 'rr', schedulerFlags: ['sh-port'] }),
    TypeError,
    /service\.schedulerFlags\[0\]/,
  ],
  [
    'unknown scheduler flag',
    (i) => i.editService({ ...svc, schedulerFlags: ['bogus' as never] }),
    TypeError,
    /service\.schedulerFlags\[0\]/,
  ],
  [
    'unknown forward',
    (i) => i.addDestination(svc, { address: '192.168.8.30', forward: 'bogus' as never }),
    TypeError,
    /destination\.forward/,
  ],
  [
    'non-integer weight',
    (i) => i.addDestination(svc, { address: '192.168.8.30', weight: 1.5 }),
    RangeError,
    /destination\.weight/,
  ],
  [
    'negative weight',
    (i) => i.editDestination(svc, { address: '192.168.8.20', weight: -1 }),
    RangeError,
    /destination\.weight/,
  ],
  [
    'lower > upper threshold',
    (i) =>
      i.addDestination(svc, { address: '192.168.8.30', upperThreshold: 10, lowerThreshold: 20 }),
    RangeError,
    /destination\.lowerThreshold/,
  ],
  [
    'IPv6 destination on an IPv4 service without tunnel',
    (i) => i.addDestination(svc, { address: '2001:db8:8::30', forward: 'route' }),
    TypeError,
    /destination\.address/,
  ],
  [
    'tunnel options with direct routing',
    (i) =>
      i.addDestination(svc, { address: '192.168.8.30', forward: 'route', tunnel: { type: 'gre' } }),
    TypeError,
    /destination\.tunnel/,
  ],
  [
    'gue without port',
    (i) =>
      i.addDestination(svc, {
        address: '192.168.8.30',
        forward: 'tunnel',
        tunnel: { type: 'gue' },
      }),
    TypeError,
    /destination\.tunnel\.port/,
  ],
  [
    'port on a gre tunnel',
    (i) =>
      i.addDestination(svc, {
        address: '192.168.8.30',
        forward: 'tunnel',
        tunnel: { type: 'gre', port: 1 },
      }),
    TypeError,
    /destination\.tunnel\.port/,
  ],
  [
    'checksum on ipip',
    (i) =>
      i.addDestination(svc, {
        address: '192.168.8.30',
        forward: 'tunnel',
        tunnel: { type: 'ipip', checksum: 'csum' },
      }),
    TypeError,
    /destination\.tunnel\.checksum/,
  ],
  [
    'unknown tunnel type',
    (i) =>
      i.addDestination(svc, {
        address: '192.168.8.30',
        forward: 'tunnel',
        tunnel: { type: 'vxlan' as never },
      }),
    TypeError,
    /destination\.tunnel\.type/,
  ],
  [
    'bad destination address',
    (i) => i.deleteDestination(svc, { address: '192.168.8' }),
    TypeError,
    /destination\.address/,
  ],
  ['negative timeout', (i) => i.setTimeouts({ tcp: -1 }), RangeError, /timeouts\.tcp/],
  [
    'unknown daemon state',
    (i) => i.startDaemon({ state: 'primary' as never, interface: 'lo' }),
    TypeError,
    /daemon\.state/,
  ],
  [
    'bad daemon interface',
    (i) => i.startDaemon({ state: 'master', interface: 'a b' }),
    TypeError,
    /daemon\.interface/,
  ],
  [
    'syncId 256',
    (i) => i.startDaemon({ state: 'master', interface: 'lo', syncId: 256 }),
    RangeError,
    /daemon\.syncId/,
  ],
  [
    'ttl 0',
    (i) => i.startDaemon({ state: 'master', interface: 'lo', ttl: 0 }),
    RangeError,
    /daemon\.ttl/,
  ],
  ['bad stopDaemon state', (i) => i.stopDaemon('both' as never), TypeError, /state/],
  ['bad zero key', (i) => i.zero({ fwmark: -1 }), RangeError, /service\.fwmark/],
  [
    'bad input in a batch',
    (i) => i.batch((b) => b.addService({ ...svc, port: -1 })),
    RangeError,
    /service\.port/,
  ],
];

describe('bad input', () => {
  it.each(badInput)(
    '%s: rejected naming the field, nothing changed',
    async (_name, call, kind, field) => {
      const error = await failureOf(() => call(ipvs));
      expect(error).toBeInstanceOf(kind);
      expect((error as Error).message).toMatch(field);
      expect(saved()).toEqual(base);
    },
  );

  it('is reported as a rejected promise, never thrown synchronously from an async method', () => {
    let thrown: unknown;
    let returned: unknown;
    try {
      returned = ipvs.addService({ ...svc, port: 70000 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeUndefined();
    expect(returned).toBeInstanceOf(Promise);
    (returned as Promise<void> | undefined)?.catch(() => undefined);
  });

  it('rejects bad open options', async () => {
    expect(await failureOf(() => Ipvs.open({ netns: '' }))).toBeInstanceOf(TypeError);
    expect(await failureOf(() => Ipvs.open({ timeoutMs: 0 }))).toBeInstanceOf(RangeError);
    const missing = await ipvsErrorOf(() => Ipvs.open({ netns: '/run/netns/does-not-exist' }));
    expect(missing).toMatchObject({ code: 'ENOENT', op: 'open' });
  });

  it('never crashes the process, whatever it is given', async () => {
    let seed = 0x2545f491;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const keys = [
      'protocol',
      'address',
      'port',
      'fwmark',
      'family',
      'scheduler',
      'persistence',
      'netmask',
      'persistenceEngine',
      'onePacket',
      'schedulerFlags',
      'forward',
      'weight',
      'upperThreshold',
      'lowerThreshold',
      'tunnel',
      'type',
      'checksum',
      'tcp',
      'tcpFin',
      'udp',
      'state',
      'interface',
      'syncId',
      'maxLength',
      'group',
      'ttl',
      'destinations',
      '__proto__',
      'constructor',
    ];
    const atoms: unknown[] = [
      undefined,
      null,
      true,
      false,
      0,
      -0,
      1,
      -1,
      80,
      65536,
      2 ** 32,
      2 ** 53,
      -(2 ** 31),
      1.5,
      NaN,
      Infinity,
      -Infinity,
      10n,
      '',
      ' ',
      'tcp',
      'udp',
      'sctp',
      'ipv6',
      'rr',
      'mh',
      'sip',
      'tunnel',
      'gue',
      'gre',
      'csum',
      'master',
      'backup',
      'lo',
      '192.168.8.200',
      '192.168.8.21',
      '2001:db8:8::30',
      '[::1]',
      '::',
      '0.0.0.0',
      '255.255.255.0',
      '300.0.0.1',
      'x'.repeat(300),
      '\u0000',
      'ñ😀',
      '%s%n',
      [],
      {},
      ['sh-port'],
      ['flag-3', 'flag-3'],
    ];
    const value = (depth: number): unknown => {
      const kind = rand(depth > 2 ? 1 : 3);
      if (kind === 0) return atoms[rand(atoms.length)];
      if (kind === 1) return Array.from({ length: rand(4) }, () => value(depth + 1));
      const object: Record<string, unknown> = {};
      for (let k = rand(6); k > 0; k--) object[keys[rand(keys.length)] ?? 'x'] = value(depth + 1);
      return object;
    };
    const methods: ((v: unknown, w: unknown) => unknown)[] = [
      (v) => ipvs.addService(v as never),
      (v) => ipvs.editService(v as never),
      (v) => ipvs.deleteService(v as never),
      (v, w) => ipvs.getService(v as never, w as never),
      (v) => ipvs.listServices(v as never),
      (v, w) => ipvs.addDestination(v as never, w as never),
      (v, w) => ipvs.editDestination(v as never, w as never),
      (v, w) => ipvs.deleteDestination(v as never, w as never),
      (v) => ipvs.listDestinations(v as never),
      (v) => ipvs.zero(v as never),
      (v) => ipvs.setTimeouts(v as never),
      (v) => ipvs.startDaemon(v as never),
      (v) => ipvs.stopDaemon(v as never),
      (v, w) => ipvs.batch((b) => b.addDestination(v as never, w as never)),
      (v) => ipvs.batch((b) => b.editService(v as never)),
    ];
    let settled = 0;
    for (let round = 0; round < 40; round++) {
      for (const method of methods) {
        const outcome = await failureOf(async () => {
          await method(value(0), value(0));
          throw new Error('resolved');
        });
        const ok =
          outcome instanceof Error &&
          (outcome.message === 'resolved' ||
            outcome instanceof TypeError ||
            outcome instanceof RangeError ||
            outcome instanceof IpvsError);
        expect(ok, String(outcome)).toBe(true);
        settled++;
      }
    }
    expect(settled).toBe(40 * methods.length);
    // Still answering, and the library and ipvsadm still agree on the table.
    const services = await ipvs.listServices({ destinations: true });
    expect(services.length).toBe(saved().filter((l) => l.startsWith('-A')).length);
    await ipvs.flush();
    for (const state of ['master', 'backup'] as const)
      await ipvs.stopDaemon(state).catch(() => undefined);
  });
});
