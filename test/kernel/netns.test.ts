// Handles bound to other network namespaces: each sees and changes only its own IPVS table, and the
// test process stays in its own namespace throughout.
import { spawn, type ChildProcess } from 'node:child_process';
import { readlinkSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ipvs } from '../../lib/index.js';
import { addLan, ipvsErrorOf, saved, sleep } from '../support/ipvs-test.js';
import { sh } from '../support/sh.js';

const nsA = `ipvs-a-${process.pid}`;
const nsB = `ipvs-b-${process.pid}`;
const handles: Ipvs[] = [];
let a: Ipvs;
let b: Ipvs;
let own: Ipvs;
let sleeper: ChildProcess | undefined;
const ownNetns = readlinkSync('/proc/self/ns/net');

async function open(netns?: string): Promise<Ipvs> {
  const handle = await Ipvs.open(netns === undefined ? {} : { netns });
  handles.push(handle);
  return handle;
}

beforeAll(async () => {
  sh('ip', 'netns', 'add', nsA);
  sh('ip', 'netns', 'add', nsB);
  // Destinations need a route to the real server, masquerading ones included.
  addLan(nsA);
  addLan(nsB);
  a = await open(`/run/netns/${nsA}`);
  b = await open(`/run/netns/${nsB}`);
  own = await open();
});

afterAll(() => {
  for (const handle of handles) handle.close();
  sleeper?.kill();
  sh('ip', 'netns', 'del', nsA);
  sh('ip', 'netns', 'del', nsB);
});

describe('handles in other network namespaces', () => {
  it('adds rules only to their own namespace', async () => {
    await a.addService({ protocol: 'tcp', address: '10.0.0.1', port: 80, scheduler: 'rr' });
    await a.addDestination(
      { protocol: 'tcp', address: '10.0.0.1', port: 80 },
      { address: '192.168.8.20', forward: 'masq' },
    );
    await b.addService({ protocol: 'udp', address: '10.0.0.1', port: 53, scheduler: 'wrr' });
    await b.addService({ fwmark: 5, scheduler: 'sh' });

    expect(saved(nsA)).toEqual([
      '-A -t 10.0.0.1:80 -s rr',
      '-a -t 10.0.0.1:80 -r 192.168.8.20:80 -m -w 1',
    ]);
    expect(saved(nsB)).toEqual(['-A -f 5 -s sh', '-A -u 10.0.0.1:53 -s wrr']);
    expect(saved()).toEqual([]);

    expect((await a.listServices()).map((s) => s.scheduler)).toEqual(['rr']);
    expect((await b.listServices()).map((s) => s.scheduler).sort()).toEqual(['sh', 'wrr']);
    expect(await own.listServices()).toEqual([]);
    expect(
      (await ipvsErrorOf(() => b.getService({ protocol: 'tcp', address: '10.0.0.1', port: 80 })))
        .code,
    ).toBe('ESRCH');
    // The same service added in the other namespace does not collide.
    await b.addService({ protocol: 'tcp', address: '10.0.0.1', port: 80, scheduler: 'lc' });
    expect((await a.getService({ protocol: 'tcp', address: '10.0.0.1', port: 80 })).scheduler).toBe(
      'rr',
    );
    expect((await b.getService({ protocol: 'tcp', address: '10.0.0.1', port: 80 })).scheduler).toBe(
      'lc',
    );
  });

  it('flush and timeouts act on the handle’s namespace only', async () => {
    await own.addService({ protocol: 'tcp', address: '10.0.0.9', port: 80, scheduler: 'rr' });
    await b.setTimeouts({ tcp: 1234 });
    expect(sh('ip', 'netns', 'exec', nsB, 'ipvsadm', '-L', '--timeout')).toMatch(/: 1234 /);
    expect(sh('ip', 'netns', 'exec', nsA, 'ipvsadm', '-L', '--timeout')).not.toMatch(/: 1234 /);
    expect((await own.getTimeouts()).tcp).not.toBe(1234);
    await b.flush();
    expect(saved(nsB)).toEqual([]);
    expect(saved(nsA)).toHaveLength(2);
    expect(saved()).toEqual(['-A -t 10.0.0.9:80 -s rr']);
    await own.flush();
  });

  it('keeps the test process in its own namespace while handles open and work elsewhere', async () => {
    const opened = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        open([`/run/netns/${nsA}`, `/run/netns/${nsB}`, undefined][i % 3]),
      ),
    );
    expect(readlinkSync('/proc/self/ns/net')).toBe(ownNetns);
    await Promise.all(
      opened.map((h, i) =>
        h.addService({ protocol: 'tcp', address: '10.1.0.1', port: 1000 + i, scheduler: 'rr' }),
      ),
    );
    expect(readlinkSync('/proc/self/ns/net')).toBe(ownNetns);
    const ports = (lines: string[]) =>
      lines
        .map((l) => /:(\d+) /.exec(l)?.[1])
        .map(Number)
        .filter((p) => p >= 1000)
        .sort((x, y) => x - y);
    expect(ports(saved(nsA))).toEqual([1000, 1003, 1006, 1009]);
    expect(ports(saved(nsB))).toEqual([1001, 1004, 1007, 1010]);
    expect(ports(saved())).toEqual([1002, 1005, 1008, 1011]);
    // Spawned processes still start in the test's namespace.
    expect(sh('readlink', '/proc/self/ns/net').trim()).toBe(ownNetns);
  });

  it('opens a namespace by /proc/PID/ns/net', async () => {
    const child = spawn('ip', ['netns', 'exec', nsA, 'sleep', '120'], { stdio: 'ignore' });
    sleeper = child;
    const pid = child.pid;
    if (pid === undefined) throw new Error('could not spawn sleep');
    const wanted = `net:[${statSync(`/run/netns/${nsA}`).ino}]`;
    let seen = '';
    for (let i = 0; i < 100 && seen !== wanted; i++) {
      await sleep(50);
      try {
        seen = readlinkSync(`/proc/${pid}/ns/net`);
      } catch {
        seen = '';
      }
    }
    expect(seen).toBe(wanted);
    const viaPid = await open(`/proc/${pid}/ns/net`);
    expect(
      (await viaPid.getService({ protocol: 'tcp', address: '10.0.0.1', port: 80 })).scheduler,
    ).toBe('rr');
    await viaPid.addService({ protocol: 'sctp', address: '10.0.0.1', port: 3868, scheduler: 'fo' });
    expect(saved(nsA)).toContain('-A --sctp-service 10.0.0.1:3868 -s fo');
    expect(saved(nsB).join('\n')).not.toContain('3868');
    expect(saved().join('\n')).not.toContain('3868');
    child.kill();
    sleeper = undefined;
  });

  it('refuses a path that is not a network namespace', async () => {
    const missing = await ipvsErrorOf(() => Ipvs.open({ netns: `/run/netns/${nsA}-missing` }));
    expect(missing).toMatchObject({
      code: 'ENOENT',
      op: 'open',
      target: `network namespace /run/netns/${nsA}-missing`,
    });
    expect(missing.message).toMatch(/no such namespace file/);
    expect(await ipvsErrorOf(() => Ipvs.open({ netns: '/proc/self/ns/uts' }))).toMatchObject({
      code: 'EINVAL',
      op: 'open',
      target: 'network namespace /proc/self/ns/uts',
    });
  });

  it("puts no addon text in an open error's kernelMessage (documented as the kernel's extended ack)", async () => {
    const missing = await ipvsErrorOf(() => Ipvs.open({ netns: `/run/netns/${nsA}-missing` }));
    expect(missing.kernelMessage, missing.message).toBeUndefined();
    expect(missing.message).not.toContain('(kernel: ');
  });
});
