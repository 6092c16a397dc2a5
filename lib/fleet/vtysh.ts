// The RouteAnnouncer on FRR, through its own shell: one vtysh run per change, adding or removing
// a `network` statement in the `router bgp ASN` block (address-family ipv4 or ipv6 unicast).
// Run with execFile (no shell), bounded by a timeout. bgpd then announces or withdraws the
// prefix to its peers; the BGP itself is FRR's.
import { execFile } from 'node:child_process';
import type { BgpConfig } from './bgp-config.js';
import type { Prefix } from './prefix.js';
import { RouteAnnouncerError, type RouteAnnouncer } from './route-announcer.js';

/** What bgpd answers to `no network P` for a P it does not have: the withdrawal is already done. */
const NOT_CONFIGURED = /Can't find (static route|network)/i;

export type VtyshSettings = Pick<BgpConfig, 'vtysh' | 'vtySocket' | 'asn' | 'timeoutMs'>;

/** The argv (after the program) of one change. */
export function vtyshArgs(settings: VtyshSettings, prefix: Prefix, announce: boolean): string[] {
  const family = prefix.family === 'ipv4' ? 'ipv4' : 'ipv6';
  return [
    ...(settings.vtySocket === undefined ? [] : ['--vty_socket', settings.vtySocket]),
    '-c',
    'configure terminal',
    '-c',
    `router bgp ${settings.asn}`,
    '-c',
    `address-family ${family} unicast`,
    '-c',
    `${announce ? '' : 'no '}network ${prefix.text}`,
  ];
}

interface ExecFailure {
  code?: number | string | null;
  signal?: NodeJS.Signals | null;
  killed?: boolean;
  message: string;
}

function run(
  file: string,
  args: string[],
  timeoutMs: number,
): Promise<{ output: string; error: ExecFailure | null }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ output: `${stderr}\n${stdout}`.trim(), error });
    });
  });
}

export class VtyshAnnouncer implements RouteAnnouncer {
  constructor(private readonly settings: VtyshSettings) {}

  announce(prefix: Prefix): Promise<void> {
    return this.change(prefix, true);
  }

  withdraw(prefix: Prefix): Promise<void> {
    return this.change(prefix, false);
  }

  private async change(prefix: Prefix, announce: boolean): Promise<void> {
    const { vtysh, timeoutMs } = this.settings;
    const { output, error } = await run(
      vtysh,
      vtyshArgs(this.settings, prefix, announce),
      timeoutMs,
    );
    // vtysh exits 1 when a command was refused ("% Can't find static route specified", "BGP is
    // already running; AS is 65001", "Exiting: failed to connect to any daemons.").
    if (error === null) return;
    if (!announce && NOT_CONFIGURED.test(output)) return;
    const what = `vtysh ${announce ? '' : 'no '}network ${prefix.text}`;
    if (typeof error.code === 'string')
      throw new RouteAnnouncerError(
        `${what}: could not run ${vtysh}: ${error.message}`,
        undefined,
        error.code,
        output,
      );
    if (error.killed || error.signal)
      throw new RouteAnnouncerError(
        `${what}: ${error.killed ? `no answer in ${timeoutMs} ms, killed` : `ended by ${error.signal ?? ''}`}${output ? `: ${output}` : ''}`,
        undefined,
        error.signal ?? undefined,
        output,
      );
    throw new RouteAnnouncerError(
      `${what}: exit ${String(error.code)}${output ? `: ${output}` : ''}`,
      typeof error.code === 'number' ? error.code : undefined,
      undefined,
      output,
    );
  }
}
