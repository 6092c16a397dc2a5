// The kernel's connection sync following the VRRP role, as keepalived's lvs_sync_daemon does:
// the master runs the master daemon (it sends the connection table), a backup the backup daemon
// (it receives it), so that a backup taking over already knows the established connections.
// Stopping the daemon of the other role comes first; EEXIST (already running) and ESRCH (not
// running) are the state we wanted, not failures.
import type { DaemonSpec, DaemonState } from '../model/types.js';

/** What the IPVS handle (core/handle.ts) offers for the daemons. */
export interface SyncDaemons {
  startDaemon(daemon: DaemonSpec): Promise<void>;
  stopDaemon(state: DaemonState): Promise<void>;
}

export type SyncRole = 'master' | 'backup' | 'none';

function code(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String(error.code)
    : undefined;
}

async function stop(ipvs: SyncDaemons, state: DaemonState): Promise<void> {
  try {
    await ipvs.stopDaemon(state);
  } catch (error) {
    if (code(error) !== 'ESRCH') throw error;
  }
}

/** Puts the daemons in line with `role`; throws the first real failure. */
export async function followRole(
  ipvs: SyncDaemons,
  spec: Omit<DaemonSpec, 'state'>,
  role: SyncRole,
): Promise<void> {
  if (role !== 'master') await stop(ipvs, 'master');
  if (role !== 'backup') await stop(ipvs, 'backup');
  if (role === 'none') return;
  try {
    await ipvs.startDaemon({ ...spec, state: role });
  } catch (error) {
    if (code(error) !== 'EEXIST') throw error;
  }
}
