// A packet capture with tcpdump on one interface (of a namespace, or of the test's own), written
// packet by packet to a pcap file (-U) and parsed by pcap.ts: a test can poll what is on the wire
// while the capture runs, and read the whole of it once stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePcap, type CapturedFrame, type IpPacket } from './pcap.js';

/** tcpdump filters the VRRP tests use. */
export const VRRP_FILTER = 'proto 112 or ip6 proto 112';
export const VRRP_AND_ANNOUNCEMENTS = `${VRRP_FILTER} or arp or icmp6`;

export class PacketCapture {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly file: string,
    private readonly stderr: () => string,
  ) {}

  /**
   * Starts tcpdump on `ifname` in namespace `ns` (undefined: the test's own) with a pcap filter;
   * resolves once tcpdump says it is listening, so that nothing sent afterwards is missed.
   */
  static async start(
    ns: string | undefined,
    ifname: string,
    filter: string,
  ): Promise<PacketCapture> {
    const dir = mkdtempSync(join(tmpdir(), 'capture-'));
    const file = join(dir, 'capture.pcap');
    // -Z root: Debian's tcpdump would switch to its own user before writing into this directory.
    // --immediate-mode: each packet as it comes, not in the kernel's blocks (up to a second late).
    const tcpdump = ['tcpdump', '-n', '-U', '--immediate-mode', '-Z', 'root', '-i', ifname];
    tcpdump.push('-w', file, filter);
    const argv = ns === undefined ? tcpdump : ['ip', 'netns', 'exec', ns, ...tcpdump];
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    const listening = new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        said += chunk.toString();
        if (said.includes('listening on')) resolve();
      });
      child.once('exit', (code) => {
        reject(new Error(`tcpdump on ${ifname} exited (${code}): ${said.trim()}`));
      });
    });
    await listening;
    return new PacketCapture(child, dir, file, () => said);
  }

  /** The frames captured so far. */
  frames(): CapturedFrame[] {
    return existsSync(this.file) ? parsePcap(readFileSync(this.file)) : [];
  }

  /** Polls the capture until `select` finds enough frames; returns them. */
  async waitFor<T extends CapturedFrame>(
    select: (frames: CapturedFrame[]) => T[],
    what: string,
    { count = 1, seconds = 30 } = {},
  ): Promise<T[]> {
    const until = Date.now() + seconds * 1000;
    for (;;) {
      const found = select(this.frames());
      if (found.length >= count) return found;
      if (Date.now() > until)
        throw new Error(`the capture saw ${found.length} of ${count} ${what} in ${seconds} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops tcpdump (it writes what it holds on SIGINT) and returns every frame it captured. */
  async stop(): Promise<CapturedFrame[]> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = once(this.child, 'exit');
      this.child.kill('SIGINT');
      await exited;
    }
    const frames = this.frames();
    rmSync(this.dir, { recursive: true, force: true });
    if (frames.length === 0 && !this.stderr().includes('packets captured'))
      throw new Error(`tcpdump said: ${this.stderr().trim()}`);
    return frames;
  }
}

/** The VRRP packets (IP protocol 112) among captured frames. */
export function vrrpPackets(frames: readonly CapturedFrame[]): IpPacket[] {
  return frames.filter((f): f is IpPacket => f.kind === 'ip' && f.protocol === 112);
}
