// `ipvs serve CONFIG` as a process of its own inside a network namespace (ip netns exec), as a
// director runs it: the config written to a file, its JSON log lines kept for the test to wait on,
// stopped cleanly (SIGTERM) or killed (SIGKILL, nothing sent on the way out).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ipvsCommand, REPO } from './ipvs-cli.js';

export type LogRecord = Record<string, unknown>;

export class ServeProcess {
  private readonly dir: string;
  private readonly file: string;
  private readonly child: ChildProcess;
  private readonly exited: Promise<unknown>;
  private readonly records: LogRecord[] = [];
  private stderr = '';

  /**
   * Starts `ipvs serve` in `ns` (a name under /run/netns) with `config` (YAML) and `args`; without
   * a config (undefined), no CONFIG is given (a director that takes everything from --etcd).
   */
  constructor(
    readonly ns: string,
    config: string | undefined,
    args: readonly string[] = [],
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'ipvs-serve-'));
    this.file = join(this.dir, 'serve.yaml');
    if (config !== undefined) writeFileSync(this.file, config);
    const file = config === undefined ? [] : [this.file];
    this.child = spawn('ip', ['netns', 'exec', ns, ...ipvsCommand('serve', ...file, ...args)], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = once(this.child, 'exit');
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      try {
        this.records.push(JSON.parse(line) as LogRecord);
      } catch {
        this.records.push({ event: 'unparsed', line });
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  /** Every log record so far. */
  get log(): readonly LogRecord[] {
    return this.records;
  }

  get logLength(): number {
    return this.records.length;
  }

  /** Waits for a record matching `match` (from index `after` on); returns it. */
  async waitForLog(
    match: (record: LogRecord) => boolean,
    what: string,
    { after = 0, seconds = 60 } = {},
  ): Promise<LogRecord> {
    const until = Date.now() + seconds * 1000;
    for (;;) {
      const found = this.records.slice(after).find(match);
      if (found) return found;
      if (!this.running)
        throw new Error(`ipvs serve exited before ${what}:\n${this.tail()}\n${this.stderr}`);
      if (Date.now() > until)
        throw new Error(`ipvs serve: no ${what} in ${seconds} s:\n${this.tail()}\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The vrrp-state records (the contract: "event":"vrrp-state" and the new state). */
  states(after = 0): string[] {
    return this.records
      .slice(after)
      .filter((r) => r.event === 'vrrp-state')
      .map((r) => String(r.state));
  }

  tail(count = 20): string {
    return this.records
      .slice(-count)
      .map((r) => JSON.stringify(r))
      .join('\n');
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Rewrites the config file and sends SIGHUP (serve reloads it by difference). */
  reload(config: string): void {
    writeFileSync(this.file, config);
    this.child.kill('SIGHUP');
  }

  /** SIGTERM: a clean stop (VRRP sends priority 0 and removes the addresses). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    await this.exited;
  }

  /** SIGKILL: the director dies; nothing more is sent, the addresses stay where they were. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
