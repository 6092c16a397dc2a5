// The health of one destination, from the results of its check cycles: rise successes in a row
// bring a down server up, fall failures in a row take an up one down. Until its first result a
// destination is 'unknown' (kept in the table as configured); the first result decides at once,
// so that a server that is dead when the checker starts does not wait for `fall` cycles.

export type Health = 'unknown' | 'up' | 'down';

export class HealthCounter {
  private current: Health = 'unknown';
  private streak = 0;

  constructor(
    private readonly rise: number,
    private readonly fall: number,
  ) {}

  get state(): Health {
    return this.current;
  }

  /** Counts as up for the table: healthy, or not yet checked. */
  get serving(): boolean {
    return this.current !== 'down';
  }

  /** Records one cycle's outcome; returns the new state when it changed. */
  record(ok: boolean): Health | undefined {
    if (this.current === 'unknown') return this.become(ok ? 'up' : 'down');
    const wanted = this.current === 'up' ? !ok : ok;
    if (!wanted) {
      this.streak = 0;
      return undefined;
    }
    this.streak++;
    const needed = this.current === 'up' ? this.fall : this.rise;
    if (this.streak < needed) return undefined;
    return this.become(this.current === 'up' ? 'down' : 'up');
  }

  private become(state: Health): Health {
    this.current = state;
    this.streak = 0;
    return state;
  }
}
