// Debian's keepalived (2.2.7) as a VRRP peer inside a network namespace: started with a generated
// config and pid files of its own (the guest's root is read-only, and a second keepalived refuses
// to start on another's pid file), stopped cleanly or killed. Its state is read by the tests from
// the interface's addresses and from the packets; its log (console, detailed) is kept so that a
// test can also see that keepalived received a packet and why it refused one.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keepalivedConfig, type KeepalivedInstance } from './keepalived-config.js';

export class Keepalived {
  private readonly dir: string;
  private readonly child: ChildProcess;
  private readonly exited: Promise<unknown>;
  private readonly lines: string[] = [];
  private pending = '';

  /** Starts `keepalived -n -l -D -P` in `ns` (a name under /run/netns) with `instance`. */
  constructor(
    readonly ns: string,
    readonly instance: KeepalivedInstance,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), `keepalived-${instance.name}-`));
    const config = join(this.dir, 'keepalived.conf');
    writeFileSync(config, keepalivedConfig(instance));
    // -n: no fork, so this child is keepalived's parent process; -P: VRRP only; -l -D -G: a
    // detailed log on the console and none to syslog (there is no syslog in the lab).
    const argv = ['-n', '-l', '-D', '-G', '-P', '-f', config];
    argv.push('-p', join(this.dir, 'keepalived.pid'), '-r', join(this.dir, 'vrrp.pid'));
    this.child = spawn('ip', ['netns', 'exec', ns, 'keepalived', ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = once(this.child, 'exit');
    for (const stream of [this.child.stdout, this.child.stderr])
      stream?.on('data', (chunk: Buffer) => {
        this.collect(chunk.toString());
      });
  }

  private collect(text: string): void {
    const parts = (this.pending + text).split('\n');
    this.pending = parts.pop() ?? '';
    this.lines.push(...parts);
  }

  /** Every log line so far. */
  get log(): readonly string[] {
    return this.lines;
  }

  /** How many log lines so far: a mark for waitForLog's `after`. */
  get logLength(): number {
    return this.lines.length;
  }

  /** Waits for a log line matching `pattern` (among those from index `after` on); returns it. */
  async waitForLog(pattern: RegExp, after = 0, seconds = 30): Promise<string> {
    const until = Date.now() + seconds * 1000;
    for (;;) {
      const line = this.lines.slice(after).find((l) => pattern.test(l));
      if (line !== undefined) return line;
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`keepalived exited before logging ${pattern}:\n${this.tail()}`);
      if (Date.now() > until)
        throw new Error(`keepalived did not log ${pattern} in ${seconds} s:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The last log lines, for failure messages. */
  tail(count = 30): string {
    return this.lines.slice(-count).join('\n');
  }

  /** The VRRP child's pid, from its pid file (written once the child has started). */
  vrrpPid(): number {
    const pid = Number(readFileSync(join(this.dir, 'vrrp.pid'), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`keepalived: bad vrrp pid file`);
    return pid;
  }

  /** Whether the parent process still runs. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, as a service manager stops it: the VRRP child sends priority 0 and drops the VIPs. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    await this.exited;
  }

  /**
   * SIGKILL of the parent. Its VRRP child has PR_SET_PDEATHSIG set to SIGTERM, so it still sends
   * priority 0 and drops the VIPs (as DESIGN.md measured): for keepalived this is a clean stop.
   */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /**
   * A crash: nothing more leaves this router, no priority 0, the VIPs stay where they are. The
   * parent is stopped first (it would respawn its child, and its death would SIGTERM the child),
   * then the VRRP child and the parent are SIGKILLed.
   */
  async crash(): Promise<void> {
    if (!this.running) return;
    const vrrp = this.vrrpPid();
    this.child.kill('SIGSTOP');
    process.kill(vrrp, 'SIGKILL');
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Stops it if still running and removes its files. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
