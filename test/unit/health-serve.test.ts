// `ipvs serve` without a kernel: usage errors, config errors with file and line, --check, and the
// README's example config (so that the documentation cannot drift from what is accepted).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../lib/cli/commands/serve.js';
import { captureOutput, type Captured } from '../support/capture-output.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ipvs-serve-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const serve = (...argv: string[]): Promise<Captured> => captureOutput(run, ...argv);

function readmeExample(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const match = /```yaml\n(# lb\.yaml\n[\s\S]*?)```/.exec(readme);
  if (!match?.[1]) throw new Error('README has no lb.yaml example');
  return match[1];
}

describe('ipvs serve', () => {
  it('validates the README example with --check', async () => {
    const file = join(dir, 'lb.yaml');
    writeFileSync(file, readmeExample());
    expect(await serve(file, '--check')).toEqual({
      code: 0,
      stdout: `${file}: ok, 1 services, 3 checks\n`,
      stderr: '',
    });
  });

  it('reports a bad config with its file, line and path, exit 1', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'services:\n  - protocol: tcp\n    address: 192.168.8.200\n    port: 80\n    destinations:\n      - address: 10.0.0.2\n        weight: heavy\n',
    );
    const result = await serve(file);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `ipvs serve: ${file}:7: services[0].destinations[0].weight must be an integer 0-2147483647, got 'heavy'\n`,
    );
  });

  it('reports a missing file, exit 1, and usage errors, exit 2', async () => {
    expect((await serve(join(dir, 'none.yaml'))).stderr).toMatch(/ENOENT/);
    const usage = await serve();
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^ipvs serve: CONFIG is missing\nusage: ipvs serve CONFIG/);
    expect((await serve('a.yaml', '--log-level', 'loud')).stderr).toMatch(
      /--log-level must be one of debug, info, warn, error/,
    );
    expect((await serve('a.yaml', '--frobnicate')).code).toBe(2);
    expect((await serve('--help')).stdout).toMatch(/SIGHUP reloads CONFIG/);
  });
});
