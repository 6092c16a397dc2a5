// ipvsadm 1.31's command line, read as ipvsadm reads it: the same options, the same defaults
// (wlc, -g, -w 1, DR/TUN real-server port = virtual port), the same refusals in the same order
// with the same messages and exit codes. The result is a listing or an Operation for the library.
//
// The parts: options.ts (the tables), option-values.ts (what each option does), legality.ts
// (ipvsadm's command/option matrix), to-command.ts (the result), usage.ts (-h). This file is the
// loop that runs them in ipvsadm's order.
import type { Parsed } from './command.js';
import { newEntry } from './entry.js';
import { CliExit, fail } from './exit.js';
import { checkLegal } from './legality.js';
import { ServiceNames, hostToIpv4 } from './names.js';
import { readOption, schedulerFlags, timeoutValue } from './option-values.js';
import { COMMAND_OF, OPTION_TABLE } from './options.js';
import { scan } from './popt.js';
import { toCommand } from './to-command.js';
import { VERSION_LINE, tryHelp, usage } from './usage.js';

export interface ParseContext {
  /** argv[0] as ipvsadm prints it in its "Try ... -h" hint and usage. */
  program: string;
  services?: ServiceNames;
  /** Reading a rules file: also accept the negative fwmarks that -S prints. */
  restoring?: boolean;
  /** gethostbyname for names that are not addresses; default: the system resolver. */
  resolveHost?: (name: string) => string | undefined;
}

export function parseArgs(argv: readonly string[], context: ParseContext): Parsed {
  const lookups = {
    services: context.services ?? ServiceNames.fromFile(),
    resolveHost: context.resolveHost ?? hostToIpv4,
    restoring: context.restoring ?? false,
  };
  const { options, leftovers, error } = scan(argv, OPTION_TABLE);
  const [first, ...rest] = options;
  if (!first) throw tryHelp(context.program);
  if (first.tag === 'h') throw new CliExit(0, '', usage(context.program));
  if (first.tag === 'v') throw new CliExit(0, '', VERSION_LINE);
  const cmd = COMMAND_OF[first.tag];
  if (!cmd) throw tryHelp(context.program);

  const entry = newEntry();
  if (cmd === 'start-daemon' || cmd === 'stop-daemon') {
    if (first.value === 'master' || first.value === 'backup') entry.daemon.state = first.value;
    else
      fail(
        cmd === 'start-daemon'
          ? 'illegal start-daemon parameter specified'
          : 'illegal start_daemon specified',
      );
  }
  for (const option of rest) readOption(option, entry, lookups);
  if (error) throw new CliExit(255, `${error.word}: ${error.reason}\n`);

  let timeouts = { tcp: 0, tcpFin: 0, udp: 0 };
  const args = [...leftovers];
  if (cmd === 'set') {
    if (args.length < 3) fail('--set option requires 3 timeout values');
    const [tcp, tcpFin, udp] = args.splice(0, 3) as [string, string, string];
    timeouts = {
      tcp: timeoutValue(tcp, 0),
      tcpFin: timeoutValue(tcpFin, 0),
      udp: timeoutValue(udp, 0),
    };
  }
  if (args[0] !== undefined) fail(`unexpected argument ${args[0]}`);
  const { scheduler, schedFlags } = entry.svc;
  const flags = schedFlags === '' ? [] : schedulerFlags(scheduler || 'wlc', schedFlags);

  checkLegal(cmd, entry.given);
  return toCommand(cmd, entry, timeouts, flags);
}
