// Each kind of check against real servers on loopback, well behaved and not: a server that
// hangs, resets, sends garbage or drips costs one failed attempt, and many attempts leave no
// socket, timer or process behind.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  runCheck,
  validateHealthConfig,
  type CheckSpec,
  type CustomCheck,
} from '../../lib/health/index.js';
import {
  REFUSED_PORT,
  dripBody,
  dripHeaders,
  garbage,
  hanging,
  httpServer,
  httpsServer,
  resetting,
  resourceCounts,
  type TestServer,
} from '../support/check-targets.js';

/** A check as the config would give it, aimed at 127.0.0.1:port (a generous timeout unless the test is about timeouts). */
function check(
  port: number,
  spec: Record<string, unknown>,
  customChecks: Record<string, CustomCheck> = {},
): CheckSpec {
  const config = validateHealthConfig(
    {
      services: [
        {
          protocol: 'tcp',
          address: '192.168.8.200',
          port: 80,
          destinations: [{ address: '127.0.0.1', port, check: { timeout: '10s', ...spec } }],
        },
      ],
    },
    { customChecks },
  );
  const found = config.services[0]?.destinations[0]?.check;
  if (!found) throw new Error('no check');
  return found;
}

const never = new AbortController().signal;
const servers: TestServer[] = [];
let ok: TestServer;
let tls: TestServer;
const refused = REFUSED_PORT;

beforeAll(async () => {
  ok = await httpServer((req, res) => {
    if (req.url === '/down') res.writeHead(503).end('maintenance');
    else if (req.url === '/host') res.end(`host=${req.headers.host ?? ''}`);
    else res.end('status: all good\n');
  });
  tls = await httpsServer((req, res) => res.end(`tls ok ${req.url ?? ''}`));
  servers.push(ok, tls);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function target(make: () => Promise<TestServer>): Promise<number> {
  const server = await make();
  servers.push(server);
  return server.port;
}

describe('tcp', () => {
  it('passes when a connection opens and fails when it is refused', async () => {
    expect(await runCheck(check(ok.port, { type: 'tcp' }), never)).toEqual({
      ok: true,
      detail: 'connected',
    });
    const result = await runCheck(check(refused, { type: 'tcp' }), never);
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/ECONNREFUSED/);
  });
});

describe('http and https', () => {
  it('passes on an expected status, with the body matched', async () => {
    expect(
      await runCheck(
        check(ok.port, { type: 'http', path: '/health', bodyMatch: 'all good' }),
        never,
      ),
    ).toEqual({ ok: true, detail: 'status 200, body matches' });
    expect(
      (
        await runCheck(
          check(ok.port, { type: 'http', path: '/down', expectStatus: ['500-599'] }),
          never,
        )
      ).ok,
    ).toBe(true);
  });

  it('fails on another status, or a body that does not match', async () => {
    expect(await runCheck(check(ok.port, { type: 'http', path: '/down' }), never)).toEqual({
      ok: false,
      detail: 'status 503',
    });
    const result = await runCheck(check(ok.port, { type: 'http', bodyMatch: '^healthy' }), never);
    expect(result).toEqual({ ok: false, detail: 'status 200, body does not match /^healthy/' });
  });

  it('sends the configured Host header', async () => {
    expect(
      (
        await runCheck(
          check(ok.port, {
            type: 'http',
            path: '/host',
            host: 'www.example.com',
            bodyMatch: '^host=www\\.example\\.com$',
          }),
          never,
        )
      ).ok,
    ).toBe(true);
    expect(
      (
        await runCheck(
          check(ok.port, {
            type: 'http',
            path: '/host',
            bodyMatch: `^host=127\\.0\\.0\\.1:${ok.port}$`,
          }),
          never,
        )
      ).ok,
    ).toBe(true);
  });

  it('speaks TLS to a self-signed server, and refuses it when asked to verify', async () => {
    expect(
      await runCheck(
        check(tls.port, { type: 'https', path: '/x', bodyMatch: '^tls ok /x$' }),
        never,
      ),
    ).toEqual({ ok: true, detail: 'status 200, body matches' });
    const verified = await runCheck(check(tls.port, { type: 'https', verifyTls: true }), never);
    expect(verified.ok).toBe(false);
    expect(verified.detail).toMatch(/self[- ]signed/i);
  });

  it.each([
    ['hangs', hanging, 'http', /timed out after 300 ms/],
    ['drips its headers', dripHeaders, 'http', /timed out after 300 ms/],
    ['drips its body', dripBody, 'http', /timed out after 300 ms/],
    ['sends garbage', garbage, 'http', /Parse Error|HPE_/],
    ['resets', resetting, 'http', /ECONNRESET|socket hang up/],
    ['hangs a TLS handshake', hanging, 'https', /timed out after 300 ms/],
    ['sends garbage to TLS', garbage, 'https', /SSL|TLS|wrong version|packet length/i],
  ])('fails when the server %s', async (_what, make, type, detail) => {
    const port = await target(make);
    const spec = check(port, { type, bodyMatch: '.', timeout: '300ms' });
    const result = await runCheck(spec, never);
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(detail);
  });
});

describe('command', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ipvs-health-cmd-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes on exit 0 and fails otherwise, with the target in its environment, and no shell', async () => {
    const out = join(dir, 'env');
    expect(
      (
        await runCheck(
          check(8080, {
            type: 'command',
            argv: ['sh', '-c', `echo "$IPVS_CHECK_ADDRESS $IPVS_CHECK_PORT" > ${out}`],
          }),
          never,
        )
      ).ok,
    ).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe('127.0.0.1 8080\n');
    expect(await runCheck(check(8080, { type: 'command', argv: ['false'] }), never)).toEqual({
      ok: false,
      detail: 'exit 1',
    });
    // Without a shell, a metacharacter is just an argument: `true` ignores it and succeeds.
    expect(
      (await runCheck(check(8080, { type: 'command', argv: ['true', '; exit 1'] }), never)).ok,
    ).toBe(true);
    const missing = await runCheck(
      check(8080, { type: 'command', argv: ['/nonexistent/check'] }),
      never,
    );
    expect(missing.detail).toMatch(/ENOENT/);
  });

  it('kills the program and what it started when it overruns', async () => {
    const pidFile = join(dir, 'pid');
    const result = await runCheck(
      check(8080, {
        type: 'command',
        argv: ['sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`],
        timeout: '300ms',
      }),
      never,
    );
    expect(result).toEqual({ ok: false, detail: 'timed out after 300 ms' });
    const grandchild = readFileSync(pidFile, 'utf8').trim();
    // The process group got SIGKILL: the background sleep is gone (or a zombie awaiting its reaper).
    for (let i = 0; i < 100 && isRunning(grandchild); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(isRunning(grandchild)).toBe(false);
  }, 30_000);
});

function isRunning(pid: string): boolean {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
  return state !== 'Z' && state !== 'X';
}

describe('custom', () => {
  it('passes on true, fails on false or a throw', async () => {
    const checks: Record<string, CustomCheck> = {
      yes: () => Promise.resolve(true),
      no: () => Promise.resolve(false),
      boom: () => Promise.reject(new Error('database unreachable')),
    };
    expect(await runCheck(check(1, { type: 'custom', run: 'yes' }, checks), never)).toEqual({
      ok: true,
      detail: 'yes: healthy',
    });
    expect(await runCheck(check(1, { type: 'custom', run: 'no' }, checks), never)).toEqual({
      ok: false,
      detail: 'no: unhealthy',
    });
    expect(await runCheck(check(1, { type: 'custom', run: 'boom' }, checks), never)).toEqual({
      ok: false,
      detail: 'boom: database unreachable',
    });
  });

  it('times out a function that never answers, and tells it through the signal', async () => {
    let seen: AbortSignal | undefined;
    const stuck: CustomCheck = (_target, signal) => {
      seen = signal;
      return new Promise(() => undefined);
    };
    expect(
      await runCheck(check(1, { type: 'custom', run: stuck, timeout: '300ms' }), never),
    ).toEqual({ ok: false, detail: 'timed out after 300 ms' });
    expect(seen?.aborted).toBe(true);
  });
});

describe('a stop', () => {
  it('cuts an attempt short', async () => {
    const port = await target(hanging);
    const stop = new AbortController();
    const pending = runCheck(check(port, { type: 'http', timeout: '1m' }), stop.signal);
    setTimeout(() => {
      stop.abort();
    }, 50);
    expect(await pending).toEqual({ ok: false, detail: 'stopped' });
  });
});

describe('no leaks', () => {
  it('leaves no socket, timer or process after many attempts against misbehaving servers', async () => {
    const ports = {
      hang: await target(hanging),
      reset: await target(resetting),
      garbage: await target(garbage),
      drip: await target(dripBody),
    };
    const specs = [
      check(ports.hang, { type: 'http', timeout: '50ms' }),
      check(ports.hang, { type: 'https', timeout: '50ms' }),
      check(ports.reset, { type: 'http' }),
      check(ports.garbage, { type: 'http' }),
      check(ports.drip, { type: 'http', timeout: '50ms', bodyMatch: 'x' }),
      check(refused, { type: 'tcp' }),
      check(ok.port, { type: 'tcp' }),
      check(ok.port, { type: 'http' }),
      check(tls.port, { type: 'https' }),
      check(1, { type: 'command', argv: ['sleep', '5'], timeout: '50ms' }),
    ];
    // One warm-up round, so that lazily created handles (DNS, TLS context) exist in both counts.
    await Promise.all(specs.map((s) => runCheck(s, never)));
    const before = await settled();
    for (let round = 0; round < 20; round++) {
      const results = await Promise.all(specs.map((s) => runCheck(s, never)));
      expect(results.map((r) => r.ok)).toEqual([
        false,
        false,
        false,
        false,
        false,
        false,
        true,
        true,
        true,
        false,
      ]);
    }
    const after = await settled(before.fds);
    expect(after.fds).toBe(before.fds);
    expect(after.resources).toEqual(before.resources);
  }, 120_000); // a loaded 2-core machine takes a while for 200 attempts with TLS and processes
});

/** Counts once closing sockets and exiting children are gone (polls until the fd count is `target`). */
async function settled(target?: number): Promise<ReturnType<typeof resourceCounts>> {
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const counts = resourceCounts();
    if (target === undefined || counts.fds <= target) return counts;
  }
  return resourceCounts();
}
