// The connection synchronisation daemons: whether each role runs, and with which sync id on
// which interface.
import { flag, type Family } from './family.js';
import type { DaemonState } from '../../model/types.js';

const ROLES: readonly DaemonState[] = ['master', 'backup'];

export const daemonFamilies: readonly Family[] = [
  {
    name: 'ipvs_sync_daemon_running',
    help: 'Whether the connection synchronisation daemon of this role runs (1) or not (0).',
    type: 'gauge',
    labelNames: ['role'],
    collect: ({ snapshot }, emit) => {
      for (const role of ROLES)
        emit({ role }, flag(snapshot.daemons.some((d) => d.state === role)));
    },
  },
  {
    name: 'ipvs_sync_daemon_sync_id',
    help: 'The sync id of a running synchronisation daemon, by role and multicast interface.',
    type: 'gauge',
    labelNames: ['role', 'interface'],
    collect: ({ snapshot }, emit) => {
      for (const d of snapshot.daemons) emit({ role: d.state, interface: d.interface }, d.syncId);
    },
  },
];
