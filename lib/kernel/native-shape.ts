// What a loaded addon must look like before the library trusts it as a NativeBinding. A .node
// file from another version of these sources (a stale build/, a prebuild from another release)
// loads fine and then fails deep inside a call; checking its members at load turns that into one
// error that names what is missing.
import { isRecord } from '../model/guards.js';
import type { NativeBinding, NativeCommandName, NativeConstants } from './native.js';

type NumericConstantName = Exclude<keyof NativeConstants, 'commands'>;

// Records rather than lists, so that the compiler checks that no name is missing or extra.
const CONSTANTS: Readonly<Record<NumericConstantName, true>> = {
  AF_INET: true,
  AF_INET6: true,
  IPPROTO_TCP: true,
  IPPROTO_UDP: true,
  IPPROTO_SCTP: true,
  IP_VS_SVC_F_PERSISTENT: true,
  IP_VS_SVC_F_HASHED: true,
  IP_VS_SVC_F_ONEPACKET: true,
  IP_VS_SVC_F_SCHED1: true,
  IP_VS_SVC_F_SCHED2: true,
  IP_VS_SVC_F_SCHED3: true,
  IP_VS_SVC_F_SCHED_SH_FALLBACK: true,
  IP_VS_SVC_F_SCHED_SH_PORT: true,
  IP_VS_CONN_F_FWD_MASK: true,
  IP_VS_CONN_F_MASQ: true,
  IP_VS_CONN_F_LOCALNODE: true,
  IP_VS_CONN_F_TUNNEL: true,
  IP_VS_CONN_F_DROUTE: true,
  IP_VS_CONN_F_BYPASS: true,
  IP_VS_CONN_F_TUNNEL_TYPE_IPIP: true,
  IP_VS_CONN_F_TUNNEL_TYPE_GUE: true,
  IP_VS_CONN_F_TUNNEL_TYPE_GRE: true,
  IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM: true,
  IP_VS_TUNNEL_ENCAP_FLAG_CSUM: true,
  IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM: true,
  IP_VS_STATE_NONE: true,
  IP_VS_STATE_MASTER: true,
  IP_VS_STATE_BACKUP: true,
  IP_VS_SCHEDNAME_MAXLEN: true,
  IP_VS_PENAME_MAXLEN: true,
  IP_VS_IFNAME_MAXLEN: true,
  MAX_TIMEOUT_MS: true,
};
const COMMANDS: Readonly<Record<NativeCommandName, true>> = {
  newService: true,
  setService: true,
  delService: true,
  getService: true,
  getServices: true,
  newDest: true,
  setDest: true,
  delDest: true,
  getDests: true,
  newDaemon: true,
  delDaemon: true,
  getDaemons: true,
  setConfig: true,
  getConfig: true,
  getInfo: true,
  zero: true,
  flush: true,
};

/** Every numeric member of NativeConstants. */
export const CONSTANT_NAMES = Object.keys(CONSTANTS) as readonly NumericConstantName[];
/** Every member of NativeConstants.commands. */
export const COMMAND_NAMES = Object.keys(COMMANDS) as readonly NativeCommandName[];

const FUNCTIONS = [
  'open',
  'encodeRequest',
  'decodeReply',
  'unshareNetwork',
  'netConfig',
  'encodeNetRequest',
  'vrrpOpen',
  'announcerOpen',
  'encodeAnnouncement',
] as const satisfies readonly (keyof NativeBinding)[];

function missingNumbers(where: string, value: unknown, names: readonly string[]): string[] {
  if (!isRecord(value)) return [`${where} (not an object)`];
  return names.filter((name) => typeof value[name] !== 'number').map((name) => `${where}.${name}`);
}

/** The members `value` lacks (or has of the wrong kind) to be a NativeBinding; empty when none. */
export function nativeShapeProblems(value: unknown): string[] {
  if (!isRecord(value)) return ['the module itself (not an object)'];
  const problems: string[] = [];
  for (const name of FUNCTIONS) {
    if (typeof value[name] !== 'function') problems.push(`${name}()`);
  }
  if (typeof value.napiVersion !== 'number') problems.push('napiVersion');
  problems.push(...missingNumbers('constants', value.constants, CONSTANT_NAMES));
  if (isRecord(value.constants)) {
    problems.push(...missingNumbers('constants.commands', value.constants.commands, COMMAND_NAMES));
  }
  problems.push(...missingNumbers('requestLayout', value.requestLayout, ['size', 'command']));
  problems.push(...missingNumbers('netRequestLayout', value.netRequestLayout, ['size', 'op']));
  const reply = value.replyLayout;
  if (!isRecord(reply) || !Array.isArray(reply.stats)) problems.push('replyLayout');
  return problems;
}

export function isNativeBinding(value: unknown): value is NativeBinding {
  return nativeShapeProblems(value).length === 0;
}
