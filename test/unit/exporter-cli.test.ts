// `ipvs exporter` and `ipvs serve --listen` without a kernel: usage, and bad listen addresses
// refused with the option named, before anything is opened.
import { describe, expect, it } from 'vitest';
import { run as exporter } from '../../lib/cli/commands/exporter.js';
import { run as serve } from '../../lib/cli/commands/serve.js';
import { captureOutput } from '../support/capture-output.js';

describe('ipvs exporter', () => {
  it('prints its usage with the default address and why that port', async () => {
    const { code, stdout } = await captureOutput(exporter, '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('usage: ipvs exporter [--listen ADDR] [--netns NAME|PATH]');
    expect(stdout).toContain('default 127.0.0.1:9742');
    expect(stdout).toContain('9100-9999');
  });

  it('refuses a bad --listen or a stray argument with exit 2, naming it', async () => {
    const bad = await captureOutput(exporter, '--listen', '9742');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^ipvs exporter: --listen: expected HOST:PORT, \[IPv6\]:PORT or :PORT, got "9742"\n/,
    );
    expect((await captureOutput(exporter, '--listen')).stderr).toContain('--listen needs a value');
    expect((await captureOutput(exporter, 'extra')).stderr).toContain('unknown argument extra');
  });
});

describe('ipvs serve --listen', () => {
  it('is in the usage, off by default', async () => {
    const { stdout } = await captureOutput(serve, '--help');
    expect(stdout).toMatch(/--listen ADDR {7}serve Prometheus metrics at http:\/\/ADDR\/metrics/);
    expect(stdout).toContain('Off by default');
  });

  it('refuses a bad address before reading the config', async () => {
    const { code, stderr } = await captureOutput(serve, 'missing.yaml', '--listen', '[::1]:port');
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^ipvs serve: --listen: the port must be a number from 0 to 65535, got "port"\n/,
    );
  });
});
