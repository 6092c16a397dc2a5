// ipvsadm 1.31's legality checks: which options each command requires, refuses or takes only one
// of (commands_v_options), the same for tunnel types (tunnel_types_v_options), and the checks its
// commands make on combinations. Each refusal has ipvsadm's own message and exit code 2.
import type { ForwardMethod, TunnelType } from '../model/types.js';
import { fail } from './exit.js';
import { OPT_NAMES, type CmdName, type OptName } from './options.js';

// commands_v_options: '+' compulsory, 'x' illegal, '1' exclusive, ' ' optional; one column per option of OPT_NAMES.
const LEGAL: Record<CmdName, string> = {
  'add-service': 'xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx',
  'edit-service': 'xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx',
  'delete-service': 'xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  flush: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  list: ' 11xxxxxxxxx11       xxxxxxx xxxxx',
  'add-server': 'xx+xxx+    xxxxxxxxxxxxxxxxxx     ',
  'delete-server': 'xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxx',
  'edit-server': 'xx+xxx+    xxxxxxxxxxxxxxxxxx     ',
  set: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  'start-daemon': 'xxxxxxxxxxx xxxxxxx xxxx    xxxxxx',
  'stop-daemon': 'xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxx',
  restore: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  save: ' xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  zero: 'xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
};

// tunnel_types_v_options, columns tun-port, tun-nocsum, tun-csum, tun-remcsum.
const TUN_OPTS: readonly OptName[] = ['tun-port', 'tun-nocsum', 'tun-csum', 'tun-remcsum'];
const TUN_LEGAL: Record<TunnelType, string> = { ipip: 'xxxx', gue: '+111', gre: 'x11x' };

/** generic_opt_check over commands_v_options: the first offending option, in bit order, fails. */
export function checkLegal(cmd: CmdName, given: ReadonlySet<OptName>): void {
  check(LEGAL[cmd], OPT_NAMES, given, `'${cmd}' command`);
}

/** tunnel_opt_check over tunnel_types_v_options. */
function checkTunnel(type: TunnelType, given: ReadonlySet<OptName>): void {
  check(TUN_LEGAL[type], TUN_OPTS, given, `'${type}' tunnel type`);
}

function check(
  row: string,
  names: readonly OptName[],
  given: ReadonlySet<OptName>,
  what: string,
): void {
  let exclusive: OptName | undefined;
  names.forEach((name, j) => {
    const rule = row[j];
    if (!given.has(name)) {
      if (rule === '+') fail(`You need to supply the '${name}' option for the ${what}`);
      return;
    }
    if (rule === 'x') fail(`Illegal '${name}' option with the ${what}`);
    if (rule === '1') {
      if (exclusive === undefined) exclusive = name;
      else fail(`The option '${name}' conflicts with the '${exclusive}' option in the ${what}`);
    }
  });
}

/** -L: connections, timeouts and daemons have no statistics; timeouts and daemons no persistence. */
export function checkListOptions(given: ReadonlySet<OptName>): void {
  const stats = given.has('stats') || given.has('rate') || given.has('thresholds');
  const conflict =
    ((given.has('connection') || given.has('timeout') || given.has('daemon')) && stats) ||
    ((given.has('timeout') || given.has('daemon')) && given.has('persistent-conn'));
  if (conflict) fail('options conflicts in the list command');
}

const TUNNEL_OPTIONS: readonly OptName[] = [
  'tun-type',
  'tun-port',
  'tun-nocsum',
  'tun-csum',
  'tun-remcsum',
];

/** -a/-e: tunnel options only with -i, and then the tunnel type's own rules. */
export function checkTunnelOptions(
  forward: ForwardMethod,
  type: TunnelType,
  given: ReadonlySet<OptName>,
): void {
  if (TUNNEL_OPTIONS.some((n) => given.has(n)) && forward !== 'tunnel')
    fail('Tunnel options conflict with forward method');
  checkTunnel(type, given);
}
