// Reads snapshots for the page: concurrent requests share one read, a reading younger than
// maxAgeMs serves again, and a failed read is remembered with the last good snapshot, so the
// page can show the error next to data it marks as old, and keep retrying.
import type { Snapshot } from '../snapshot.js';
import { errorMessage } from '../../model/guards.js';

export interface Reading {
  /** The newest good snapshot, if any read ever succeeded. */
  snapshot: Snapshot | undefined;
  /** Why the newest read failed; undefined when it succeeded. */
  error: string | undefined;
  /** When the newest read (good or not) began, in ms since the epoch. */
  at: number;
}

export class SnapshotReader {
  private last: Reading | undefined;
  private inFlight: Promise<Reading> | undefined;

  constructor(
    private readonly read: () => Promise<Snapshot>,
    private readonly maxAgeMs: number,
  ) {}

  /** A reading no older than maxAgeMs (or the one under way). */
  recent(): Promise<Reading> {
    if (this.last !== undefined && Date.now() - this.last.at < this.maxAgeMs)
      return Promise.resolve(this.last);
    return this.fresh();
  }

  /** A new reading (shared with one already under way). */
  fresh(): Promise<Reading> {
    this.inFlight ??= this.readOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async readOnce(): Promise<Reading> {
    const at = Date.now();
    try {
      const snapshot = await this.read();
      this.last = { snapshot, error: undefined, at };
    } catch (error) {
      const message = errorMessage(error);
      this.last = { snapshot: this.last?.snapshot, error: message || 'unknown error', at };
    }
    return this.last;
  }
}
