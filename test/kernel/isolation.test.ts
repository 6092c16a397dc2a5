// Each kernel test file gets a network namespace of its own. This file adds the same service as
// plumbing.test.ts: in a shared namespace one of them would fail with "Service already exists",
// and this file's table would not start empty.
import { readFileSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sh } from '../support/sh.js';

describe('test-file isolation', () => {
  it('runs in a namespace that is not the initial one', () => {
    expect(readlinkSync('/proc/self/ns/net')).not.toBe(readlinkSync('/proc/1/ns/net'));
  });

  it('sees only its own rules', () => {
    expect(readFileSync('/proc/net/ip_vs', 'utf8').split('\n').slice(3).join('').trim()).toBe('');
    sh('ipvsadm', '-A', '-t', '192.168.8.200:80', '-s', 'wlc');
    expect(sh('ipvsadm', '-S', '-n')).toBe('-A -t 192.168.8.200:80 -s wlc\n');
  });
});
