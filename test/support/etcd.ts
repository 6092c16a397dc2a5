// Debian's etcd (3.4) as the fleet's store inside a network namespace: one member, its data in a
// directory of its own under the guest's /tmp, so that a restart (kill, then start) finds what it
// had. etcdctl reads it from the test's side, as an operator would.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from './sh.js';

export class EtcdServer {
  private readonly dir: string;
  private child: ChildProcess | undefined;
  private output = '';

  /** An etcd listening for clients on http://ADDRESS:2379 in `ns` (not started yet). */
  constructor(
    readonly ns: string,
    readonly address: string,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'etcd-'));
  }

  get url(): string {
    return `http://${this.address}:2379`;
  }

  /** Starts etcd and waits until it answers. */
  async start(): Promise<void> {
    const argv = [
      ...['--data-dir', join(this.dir, 'data'), '--name', 'lab'],
      ...['--listen-client-urls', this.url, '--advertise-client-urls', this.url],
      ...['--listen-peer-urls', 'http://127.0.0.1:2380'],
    ];
    const child = spawn('ip', ['netns', 'exec', this.ns, 'etcd', ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    for (const stream of [child.stdout, child.stderr])
      stream.on(
        'data',
        (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4000)),
      );
    const until = Date.now() + 60_000;
    for (;;) {
      try {
        this.ctl('endpoint', 'health');
        return;
      } catch (error) {
        if (child.exitCode !== null)
          throw new Error(`etcd exited:\n${this.output}`, { cause: error });
        if (Date.now() > until)
          throw new Error(`etcd not healthy in 60 s:\n${this.output}`, { cause: error });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** SIGKILL: etcd is gone at once, as in a crash or a lost host; its data dir stays. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }

  /** etcdctl against this server (API v3). */
  ctl(...args: string[]): string {
    return sh('etcdctl', '--endpoints', this.url, '--dial-timeout', '2s', ...args);
  }

  /** Every key under `prefix` and its value. */
  read(prefix: string): Map<string, string> {
    const lines = this.ctl('get', '--prefix', prefix)
      .split('\n')
      .filter((l) => l.length > 0);
    const entries = new Map<string, string>();
    for (let i = 0; i + 1 < lines.length; i += 2) entries.set(lines[i] ?? '', lines[i + 1] ?? '');
    return entries;
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
