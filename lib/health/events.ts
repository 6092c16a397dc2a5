// What the health checker reports, as typed events (and, with the same fields, as log records).
import type { Health } from './health-state.js';

export interface CheckReport {
  service: string;
  destination: string;
  ok: boolean;
  /** What the last attempt found: "status 200", "connect ECONNREFUSED ...", "timed out after 200 ms". */
  detail: string;
  attempts: number;
  /** How long the last attempt took, in seconds. */
  seconds: number;
  /** The destination's health after this cycle. */
  health: Health;
}

export interface StateChange {
  service: string;
  destination: string;
  from: Health;
  to: Health;
  detail: string;
}

export interface QuorumChange {
  service: string;
  met: boolean;
  healthyWeight: number;
  quorum: number;
  hysteresis: number;
  /** The sorry server ("10.0.0.9:80"), when the service has one: in while quorum is lost. */
  sorryServer: string | undefined;
}

export type SyncReason = 'start' | 'health' | 'reconcile' | 'reload' | 'stop';

export interface RepairReport {
  op: string;
  target: string;
  /** Why it was needed: "missing", "weight 5 -> 0", "not wanted", ... */
  why: string;
  ok: boolean;
  error?: string;
}

export interface SyncReport {
  /** What asked for it (several requests close together are served by one sync). */
  reasons: SyncReason[];
  /** The operations sent, in one batch; empty when the kernel already matched. */
  repairs: RepairReport[];
}

export interface HealthEvents {
  /** Every check cycle's outcome. */
  check: [CheckReport];
  /** A destination went up or down. */
  state: [StateChange];
  /** A service lost or regained quorum. */
  quorum: [QuorumChange];
  /** The kernel's table was compared with the wanted one (and repaired if needed). */
  sync: [SyncReport];
  /** Reading or writing the kernel's table failed; the next sync tries again. */
  'sync-error': [Error];
  /** stop() finished: no check, timer or socket is left. */
  stopped: [];
}
