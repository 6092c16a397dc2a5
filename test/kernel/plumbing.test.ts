// The plumbing under every kernel test: a real IPVS table in a namespace of this file's own.
// Written with ipvsadm (the reference nobody here wrote) and read back two independent ways.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sh } from '../support/sh.js';

/** /proc/net/ip_vs lists addresses as hex: 192.168.8.200:80 is C0A808C8:0050. */
function procIpvsRows(): string[] {
  return readFileSync('/proc/net/ip_vs', 'utf8')
    .split('\n')
    .slice(3)
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter((line) => line.length > 0);
}

describe('IPVS in a fresh network namespace', () => {
  it('starts with an empty table', () => {
    expect(readFileSync('/proc/net/ip_vs', 'utf8')).toMatch(
      /^IP Virtual Server version \d+\.\d+\.\d+ \(size=\d+\)/,
    );
    expect(procIpvsRows()).toEqual([]);
    expect(sh('ipvsadm', '-S', '-n')).toBe('');
  });

  it('reads back a service and a destination that ipvsadm added', () => {
    // Direct routing validates the real server against the routing table: give it an address.
    sh('ip', 'link', 'add', 'lan0', 'type', 'dummy');
    sh('ip', 'address', 'add', '192.168.8.10/24', 'dev', 'lan0');
    sh('ip', 'link', 'set', 'lan0', 'up');

    sh('ipvsadm', '-A', '-t', '192.168.8.200:80', '-s', 'rr');
    sh('ipvsadm', '-a', '-t', '192.168.8.200:80', '-r', '192.168.8.20:80', '-g', '-w', '1');

    expect(sh('ipvsadm', '-S', '-n')).toBe(
      '-A -t 192.168.8.200:80 -s rr\n' + '-a -t 192.168.8.200:80 -r 192.168.8.20:80 -g -w 1\n',
    );
    expect(procIpvsRows()).toEqual(['TCP C0A808C8:0050 rr', '-> C0A80814:0050 Route 1 0 0']);
  });

  it('loads a scheduler module on demand, as on a real director', () => {
    sh('ipvsadm', '-A', '-u', '192.168.8.200:53', '-s', 'mh');
    expect(sh('ipvsadm', '-S', '-n')).toContain('-A -u 192.168.8.200:53 -s mh');
  });
});
