// Debian's FRR (8.4) as a BGP speaker inside a network namespace: zebra (which installs the
// routes into the namespace's FIB) and bgpd, daemonised, with a generated config and every
// file of theirs (pid files, the zserv socket, the vty sockets, the logs) in a directory of
// their own under /tmp: the guest's root is read-only, and FRR writes crash logs under
// /var/tmp/frr, so a tmpfs is mounted there first (DESIGN.md, "Real peers in the lab").
// vtysh reaches them with --vty_socket; stopped cleanly, or killed with SIGKILL (a crash: the
// kernel closes bgpd's sessions, its peers withdraw its routes at once).
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from './sh.js';

export interface BgpNeighbor {
  address: string;
  asn: number;
}

export interface FrrOptions {
  asn: number;
  routerId: string;
  neighbors: readonly BgpNeighbor[];
  /** Extra lines inside `router bgp` (before the address family). */
  extra?: readonly string[];
}

const FRR = '/usr/lib/frr';
let mountedVarTmp = false;

/** FRR writes under /var/tmp/frr; the guest's /var/tmp is on the read-only root. */
function writableVarTmp(): void {
  try {
    execFileSync('mountpoint', ['-q', '/var/tmp']);
  } catch {
    sh('mount', '-t', 'tmpfs', 'tmpfs', '/var/tmp');
    mountedVarTmp = true;
  }
}

/** Unmounts the tmpfs of writableVarTmp() once every daemon is gone. */
export function releaseVarTmp(): void {
  if (!mountedVarTmp) return;
  mountedVarTmp = false;
  try {
    sh('umount', '/var/tmp');
  } catch {
    // still busy: the guest goes away with it
  }
}

/**
 * The bgpd config of a lab speaker: fast timers (keepalive 1 s, hold 3 s, connect retry 1 s, no
 * advertisement delay) so that sessions come up and routes move within seconds under TCG.
 */
export function bgpdConfig(options: FrrOptions, logFile: string): string {
  const lines = [
    'frr defaults traditional',
    `log file ${logFile}`,
    `router bgp ${options.asn}`,
    ` bgp router-id ${options.routerId}`,
    ' no bgp ebgp-requires-policy',
    ' no bgp network import-check',
    ' timers bgp 1 3',
    ...(options.extra ?? []).map((line) => ` ${line}`),
  ];
  for (const n of options.neighbors)
    lines.push(
      ` neighbor ${n.address} remote-as ${n.asn}`,
      ` neighbor ${n.address} timers connect 1`,
      ` neighbor ${n.address} advertisement-interval 0`,
    );
  return `${lines.join('\n')}\n`;
}

export class Frr {
  readonly dir: string;

  /** Starts zebra then bgpd in `ns` (a name under /run/netns). */
  constructor(
    readonly ns: string,
    readonly options: FrrOptions,
  ) {
    writableVarTmp();
    this.dir = mkdtempSync(join(tmpdir(), `frr-${options.routerId}-`));
    // The daemons drop to frr:frr before they write their pid files and sockets here.
    chmodSync(this.dir, 0o755);
    const uid = Number(sh('id', '-u', 'frr').trim());
    const gid = Number(sh('id', '-g', 'frr').trim());
    chownSync(this.dir, uid, gid);
    const zebra = join(this.dir, 'zebra.conf');
    writeFileSync(zebra, `log file ${join(this.dir, 'zebra.log')}\n`);
    const bgpd = join(this.dir, 'bgpd.conf');
    writeFileSync(bgpd, bgpdConfig(options, join(this.dir, 'bgpd.log')));
    for (const file of [zebra, bgpd]) chownSync(file, uid, gid);
    this.daemon('zebra');
    this.daemon('bgpd');
  }

  private daemon(name: 'zebra' | 'bgpd'): void {
    const d = this.dir;
    sh(
      'ip',
      ...['netns', 'exec', this.ns, join(FRR, name), '-d', '-u', 'frr', '-g', 'frr'],
      ...['-f', join(d, `${name}.conf`), '-i', join(d, `${name}.pid`)],
      ...['-z', join(d, 'zserv.api'), '--vty_socket', d],
    );
  }

  /** The vty socket directory, for `ipvs serve`'s bgp.vtySocket. */
  get vtySocket(): string {
    return this.dir;
  }

  /** Runs `vtysh -c COMMAND...` against these daemons; its output. */
  vtysh(...commands: string[]): string {
    return sh('vtysh', '--vty_socket', this.dir, ...commands.flatMap((c) => ['-c', c]));
  }

  /** The `network` statements bgpd holds now. */
  networks(): string[] {
    return this.vtysh('show running-config')
      .split('\n')
      .map((line) => /^\s*network (\S+)/.exec(line)?.[1])
      .filter((prefix): prefix is string => prefix !== undefined);
  }

  private pid(name: 'zebra' | 'bgpd'): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.dir, `${name}.pid`), 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Sends `signal` to bgpd and zebra; resolves once both are gone. */
  async signal(signal: NodeJS.Signals): Promise<void> {
    const pids = [this.pid('bgpd'), this.pid('zebra')].filter((p) => p !== undefined);
    for (const pid of pids)
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 200 && pids.some(alive); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** The daemons' logs, for failure messages. */
  logs(): string {
    return ['zebra', 'bgpd']
      .map((name) => {
        try {
          return readFileSync(join(this.dir, `${name}.log`), 'utf8')
            .split('\n')
            .slice(-15)
            .join('\n');
        } catch {
          return `(no ${name} log)`;
        }
      })
      .join('\n');
  }

  /** Stops both daemons and removes their files. */
  async destroy(): Promise<void> {
    await this.signal('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
