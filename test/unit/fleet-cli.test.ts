// The fleet's command lines without etcd: serve's options (util.parseArgs, --etcd and its
// companions, CONFIG optional with --etcd) and `ipvs fleet`'s usage errors and a push refused
// before any connection (an unreachable --etcd proves nothing was attempted).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as fleet } from '../../lib/cli/commands/fleet.js';
import { parseServeArgs } from '../../lib/cli/commands/serve-options.js';
import { captureOutput } from '../support/capture-output.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ipvs-fleet-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('ipvs serve options', () => {
  it('reads every option; CONFIG is optional with --etcd', () => {
    expect(
      parseServeArgs([
        'lb.yaml',
        '--netns',
        'd1',
        '--flush-on-stop',
        '--log-level',
        'debug',
        '--listen',
        ':9100',
        '--etcd',
        'http://10.0.0.1:2379, http://10.0.0.2:2379',
        '--prefix',
        '/lb/',
        '--name',
        'd1',
        '--status-ttl',
        '3',
      ]),
    ).toMatchObject({
      file: 'lb.yaml',
      netns: '/run/netns/d1',
      flushOnStop: true,
      logLevel: 'debug',
      checkOnly: false,
      listen: { port: 9100 },
      fleet: {
        urls: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'],
        prefix: '/lb',
        name: 'd1',
        statusTtlSeconds: 3,
      },
    });
    expect(parseServeArgs(['--etcd', 'http://e:2379', '--prefix', 'p'])).toMatchObject({
      file: undefined,
      fleet: { statusTtlSeconds: 10 },
    });
    expect(parseServeArgs(['lb.yaml'])).toMatchObject({ file: 'lb.yaml', fleet: undefined });
  });

  it('says what is wrong in the command’s words', () => {
    expect(parseServeArgs([])).toBe('CONFIG is missing');
    expect(parseServeArgs(['a.yaml', 'b.yaml'])).toBe('one CONFIG only (got a.yaml and b.yaml)');
    expect(parseServeArgs(['a.yaml', '--frobnicate'])).toBe('unknown option --frobnicate');
    expect(parseServeArgs(['a.yaml', '--netns'])).toBe('--netns needs a path');
    expect(parseServeArgs(['a.yaml', '--listen'])).toBe('--listen needs an address');
    expect(parseServeArgs(['a.yaml', '--log-level', 'loud'])).toBe(
      '--log-level must be one of debug, info, warn, error',
    );
    expect(parseServeArgs(['--etcd', 'http://e:2379'])).toBe('--etcd needs --prefix');
    expect(parseServeArgs(['--etcd', 'http://e:2379', '--prefix', '/'])).toBe(
      '--prefix must not be empty',
    );
    expect(parseServeArgs(['a.yaml', '--prefix', '/lb'])).toBe('--prefix needs --etcd');
    expect(parseServeArgs(['--etcd', 'e:2379', '--prefix', 'p', '--status-ttl', '0.5'])).toBe(
      '--status-ttl must be a whole number of seconds, 1 or more',
    );
  });
});

describe('ipvs fleet', () => {
  const unreachable = ['--etcd', 'http://127.0.0.1:9', '--prefix', '/lb'];

  it('refuses a file that does not validate before connecting, exit 1', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'services:\n  - { protocol: tcp, address: 10.0.0.1, port: 80 }\nvrrp: []\n',
    );
    const result = await captureOutput(fleet, 'push', file, ...unreachable);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `ipvs fleet: ${file}:3: vrrp is local to each director: keep it in the director's own serve config (a pushed file holds services only) (nothing written)\n`,
    });
  });

  it('usage errors, exit 2', async () => {
    expect((await captureOutput(fleet, 'shove', ...unreachable)).stderr).toMatch(
      /^ipvs fleet: push or status\?\nusage: ipvs fleet push FILE/,
    );
    expect((await captureOutput(fleet, 'push', ...unreachable)).code).toBe(2);
    expect((await captureOutput(fleet, 'status', '--prefix', '/lb')).stderr).toMatch(
      /--etcd is missing/,
    );
    expect((await captureOutput(fleet, '--help')).stdout).toMatch(/one transaction/);
  });
});
