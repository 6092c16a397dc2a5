// Log lines that a peer can cause (refused packets, send errors) at most once per key and period,
// with how many happened since: a misconfigured or hostile neighbour cannot flood the log.
export class LogRateLimit {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly periodMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether to log `key` now, and how many were suppressed since the last line. */
  take(key: string): { log: boolean; suppressed: number } {
    const entry = this.last.get(key);
    const now = this.now();
    if (entry && now - entry.at < this.periodMs) {
      entry.suppressed++;
      return { log: false, suppressed: entry.suppressed };
    }
    this.last.set(key, { at: now, suppressed: 0 });
    return { log: true, suppressed: entry?.suppressed ?? 0 };
  }
}
