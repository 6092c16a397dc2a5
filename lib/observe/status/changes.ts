// The recent state changes the page lists: the health checker's 'state' and 'quorum' events,
// newest first, in a ring buffer of fixed size (a flapping server cannot grow it).
import type { QuorumChange, StateChange } from '../../health/events.js';
import { destinationKey, serviceKey } from './view.js';

export interface ChangeEntry {
  /** When it happened, in ms since the epoch. */
  at: number;
  service: string;
  /** For a destination's change; undefined for a service's quorum. */
  destination: string | undefined;
  /** "up", "down", "quorum lost", "quorum met": also the entry's class on the page. */
  to: string;
  /** One line: "up → down: connect ECONNREFUSED 127.0.0.1:8080". */
  text: string;
  /** The page row it concerns, patched at once on the page. */
  row: string;
}

export function fromStateChange(change: StateChange, at = Date.now()): ChangeEntry {
  return {
    at,
    service: change.service,
    destination: change.destination,
    to: change.to,
    text: `${change.from} → ${change.to}${change.detail ? `: ${change.detail}` : ''}`,
    row: destinationKey(change.service, change.destination),
  };
}

export function fromQuorumChange(change: QuorumChange, at = Date.now()): ChangeEntry {
  const weight = `healthy weight ${change.healthyWeight}, quorum ${change.quorum}`;
  const hysteresis = change.hysteresis > 0 ? ` ± ${change.hysteresis}` : '';
  const sorry =
    change.sorryServer === undefined
      ? ''
      : change.met
        ? ` · sorry server ${change.sorryServer} out`
        : ` · sorry server ${change.sorryServer} in`;
  return {
    at,
    service: change.service,
    destination: undefined,
    to: change.met ? 'quorum met' : 'quorum lost',
    text: `${change.met ? 'quorum regained' : 'quorum lost'} (${weight}${hysteresis})${sorry}`,
    row: serviceKey(change.service),
  };
}

export class RecentChanges {
  private readonly entries: ChangeEntry[] = [];
  private next = 0;

  constructor(readonly capacity = 50) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  push(entry: ChangeEntry): void {
    if (this.entries.length < this.capacity) this.entries.push(entry);
    else this.entries[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Newest first. */
  list(): ChangeEntry[] {
    const oldestFirst =
      this.entries.length < this.capacity
        ? this.entries
        : [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
    return [...oldestFirst].reverse();
  }
}
