// `ipvs serve` as a real process against the kernel: it builds the table from a YAML file, reloads
// it by difference on SIGHUP (keeping the running config when the new file is bad), and stops on
// SIGTERM with --flush-on-stop, deleting its services and nothing else.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipvsCommand, REPO } from '../support/ipvs-cli.js';
import { addLan, saved } from '../support/ipvs-test.js';
import { sh } from '../support/sh.js';

let dir: string;
let configFile: string;
let server: Server;
let live: number;
let serve: ChildProcess;
const logs: Array<Record<string, unknown>> = [];

function config(liveWeight: number, withDead: boolean, second: boolean): string {
  const check = '{ type: tcp, interval: 200ms, timeout: 1s, retries: 0 }';
  return `reconcileInterval: 1s
services:
  - protocol: tcp
    address: 192.168.8.200
    port: 80
    scheduler: rr
    check: ${check}
    destinations:
      - { address: 192.168.8.10, port: ${live}, forward: masq, weight: ${liveWeight} }
${withDead ? '      - { address: 192.168.8.10, port: 1, forward: masq, weight: 1 }\n' : ''}${
    second
      ? `  - protocol: udp
    address: 192.168.8.202
    port: 53
    destinations:
      - { address: 192.168.8.10, port: 53, forward: masq }
`
      : ''
  }`;
}

async function until(what: string, done: () => boolean, seconds = 60): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > seconds * 1000)
      throw new Error(
        `gave up waiting for ${what}: ${JSON.stringify(saved())} ${JSON.stringify(logs)}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

const hasLog = (event: string): boolean => logs.some((r) => r.event === event);

beforeAll(async () => {
  addLan();
  dir = mkdtempSync(join(tmpdir(), 'ipvs-serve-e2e-'));
  configFile = join(dir, 'lb.yaml');
  server = createServer((_q, r) => r.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '192.168.8.10', resolve));
  live = (server.address() as AddressInfo).port;
  // A service that is not in the config: the checker must leave it alone throughout.
  sh('ipvsadm', '-A', '-t', '192.168.8.201:80', '-s', 'wlc');
  writeFileSync(configFile, config(2, true, false));
  const [node = '', ...args] = ipvsCommand(
    'serve',
    configFile,
    '--flush-on-stop',
    '--listen',
    '127.0.0.1:0',
  );
  serve = spawn(node, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  createInterface({ input: serve.stdout as NodeJS.ReadableStream }).on('line', (line) =>
    logs.push(JSON.parse(line) as Record<string, unknown>),
  );
  // Under TCG with both lab guests running at once, `ipvs serve` took 50-65 s to start through
  // tsx (which compiled lib/ cold), and still seconds from dist/: on a loaded machine, more.
  await until('started', () => hasLog('started'), 240);
}, 300_000);

afterAll(async () => {
  if (serve.exitCode === null) {
    serve.kill('SIGKILL');
    await once(serve, 'exit');
  }
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ipvs serve', () => {
  it('builds the table and inhibits the server that does not answer', async () => {
    await until('dead server inhibited', () =>
      saved().includes('-a -t 192.168.8.200:80 -r 192.168.8.10:1 -m -w 0'),
    );
    expect(saved()).toEqual(
      [
        '-A -t 192.168.8.200:80 -s rr',
        '-A -t 192.168.8.201:80 -s wlc',
        `-a -t 192.168.8.200:80 -r 192.168.8.10:${live} -m -w 2`,
        '-a -t 192.168.8.200:80 -r 192.168.8.10:1 -m -w 0',
      ].sort(),
    );
    // The log line was written before the batch, but may still wait in the pipe: poll for it too.
    await until(
      'destination-down logged',
      () =>
        hasLog('destination-down') &&
        logs.some((r) => r.event === 'repair' && r.op === 'editDestination'),
    );
    expect(logs.find((r) => r.event === 'destination-down')).toMatchObject({
      level: 'warn',
      service: 'tcp 192.168.8.200:80',
      destination: '192.168.8.10:1',
    });
  });

  it('serves the metrics and the status page on --listen, with the checker’s view', async () => {
    await until('listening', () => hasLog('listening'));
    const url = String(logs.find((r) => r.event === 'listening')?.url);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const dead = 'service="tcp 192.168.8.200:80",real_server="192.168.8.10:1"';
    // Polled, one scrape at a time: the checker's verdict and the kernel's weight 0 arrive one
    // after the other.
    const down = (text: string): boolean =>
      text.includes(`ipvs_real_server_health{${dead},state="down"} 1`) &&
      text.includes(`ipvs_real_server_weight{${dead}} 0`);
    let metrics = '';
    for (const deadline = Date.now() + 60_000; !down(metrics);) {
      if (Date.now() > deadline) throw new Error(`the dead server is not down in:\n${metrics}`);
      metrics = await (await fetch(`${url}metrics`)).text();
      if (!down(metrics)) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(metrics).toContain(`ipvs_real_server_configured_weight{${dead}} 1`);
    // node_exporter's family, from the same reading: the weight as ipvsadm shows it.
    expect(metrics).toContain(
      'node_ipvs_backend_weight{local_address="192.168.8.200",local_port="80",' +
        'remote_address="192.168.8.10",remote_port="1",proto="TCP",local_mark=""} 0',
    );
    const status = (await (await fetch(`${url}status.json`)).json()) as {
      services: Array<{ id: string; destinations: Array<{ id: string; health: unknown }> }>;
    };
    const web = status.services.find((s) => s.id === 'tcp 192.168.8.200:80');
    expect(web?.destinations.find((d) => d.id === '192.168.8.10:1')?.health).toMatchObject({
      health: 'down',
      weight: 0,
    });
    // The service the checker does not manage is shown too, from the kernel alone.
    expect(status.services.map((s) => s.id)).toContain('tcp 192.168.8.201:80');
    const page = await (await fetch(url)).text();
    expect(page).toContain('tcp 192.168.8.200:80');
  });

  it('reloads on SIGHUP by difference, not by flush', async () => {
    const before = logs.length;
    writeFileSync(configFile, config(5, false, true));
    serve.kill('SIGHUP');
    await until('reloaded', () => logs.slice(before).some((r) => r.event === 'reloaded'));
    await until('new table', () => saved().includes('-A -u 192.168.8.202:53 -s wlc'));
    expect(saved()).toEqual(
      [
        '-A -t 192.168.8.200:80 -s rr',
        '-A -t 192.168.8.201:80 -s wlc',
        '-A -u 192.168.8.202:53 -s wlc',
        `-a -t 192.168.8.200:80 -r 192.168.8.10:${live} -m -w 5`,
        '-a -u 192.168.8.202:53 -r 192.168.8.10:53 -m -w 1',
      ].sort(),
    );
    const reloaded = logs.findIndex((r, i) => i >= before && r.event === 'reloaded');
    const repairs = (): string[] =>
      logs
        .slice(reloaded)
        .filter((r) => r.event === 'repair')
        .map((r) => `${String(r.op)} ${String(r.target)}`);
    await until('reload repairs logged', () => repairs().length >= 4);
    // The kept service was edited in place: never deleted or re-added.
    expect(repairs().sort()).toEqual([
      'addDestination destination 192.168.8.10:53 of service udp 192.168.8.202:53',
      'addService service udp 192.168.8.202:53',
      'deleteDestination destination 192.168.8.10:1 of service tcp 192.168.8.200:80',
      `editDestination destination 192.168.8.10:${live} of service tcp 192.168.8.200:80`,
    ]);
  });

  it('keeps the running config when the new file is bad', async () => {
    const before = logs.length;
    const table = saved();
    writeFileSync(
      configFile,
      'services:\n  - protocol: tcp\n    address: 192.168.8.200\n    port: eighty\n',
    );
    serve.kill('SIGHUP');
    await until('reload refused', () =>
      logs.slice(before).some((r) => r.event === 'reload-failed'),
    );
    expect(logs.slice(before).find((r) => r.event === 'reload-failed')?.error).toBe(
      `${configFile}:4: services[0].port must be an integer 0-65535, got 'eighty'`,
    );
    expect(serve.exitCode).toBeNull();
    expect(saved()).toEqual(table);
  });

  it('stops on SIGTERM, deleting its own services and nothing else', async () => {
    serve.kill('SIGTERM');
    const [code] = (await once(serve, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(logs.at(-1)).toMatchObject({ event: 'stopped', flushed: true });
    expect(saved()).toEqual(['-A -t 192.168.8.201:80 -s wlc']);
  });
});
