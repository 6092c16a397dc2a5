// An in-memory DesiredStateStore with etcd's semantics where lib/fleet relies on them: one
// revision per write or transaction, prefix reads at one revision, watches that report batches,
// leases whose keys go when they expire. down()/up() simulate losing etcd: reads and writes fail,
// watches report disconnected, then connected again (as the etcd3 client's watch does).
import type {
  DesiredStateStore,
  LeasedKey,
  PrefixSnapshot,
  PrefixWatch,
  PrefixWatchHandlers,
  ReplaceResult,
} from '../../lib/fleet/desired-state-store.js';

interface Watch {
  prefix: string;
  handlers: PrefixWatchHandlers;
}

export class FakeDesiredStateStore implements DesiredStateStore {
  readonly data = new Map<string, string>();
  /** Keys bound to a lease, by lease number. */
  private readonly leases = new Map<number, Set<string>>();
  private nextLease = 1;
  private revision = 1;
  private readonly watches = new Set<Watch>();
  private reachable = true;
  /** Reads done, for tests that count them. */
  reads = 0;

  async readPrefix(prefix: string): Promise<PrefixSnapshot> {
    this.check();
    this.reads++;
    await Promise.resolve();
    const entries = new Map([...this.data].filter(([key]) => key.startsWith(prefix)));
    return { revision: String(this.revision), entries };
  }

  watchPrefix(
    prefix: string,
    _afterRevision: string,
    handlers: PrefixWatchHandlers,
  ): Promise<PrefixWatch> {
    this.check();
    const watch = { prefix, handlers };
    this.watches.add(watch);
    handlers.connected();
    return Promise.resolve({
      close: () => {
        this.watches.delete(watch);
        return Promise.resolve();
      },
    });
  }

  replacePrefix(prefix: string, entries: ReadonlyMap<string, string>): Promise<ReplaceResult> {
    this.check();
    const put = [...entries].filter(([key, value]) => this.data.get(key) !== value);
    const deleted = [...this.data.keys()].filter((k) => k.startsWith(prefix) && !entries.has(k));
    this.transaction(() => {
      for (const [key, value] of put) this.data.set(key, value);
      for (const key of deleted) this.data.delete(key);
    });
    return Promise.resolve({
      revision: String(this.revision),
      put: put.map(([key]) => key),
      deleted,
    });
  }

  /** One write outside replacePrefix (a hand-written key, as etcdctl put would). */
  put(key: string, value: string): void {
    this.transaction(() => this.data.set(key, value));
  }

  leasedKey(key: string): LeasedKey {
    let lease: number | undefined;
    return {
      set: (value) => {
        this.check();
        lease ??= this.nextLease++;
        const held = this.leases.get(lease) ?? new Set<string>();
        held.add(key);
        this.leases.set(lease, held);
        this.transaction(() => this.data.set(key, value));
        return Promise.resolve();
      },
      lost: () => lease === undefined || !this.leases.has(lease),
      release: () => {
        if (lease !== undefined) this.expire(lease);
        lease = undefined;
        return Promise.resolve();
      },
    };
  }

  /** Every lease expires (a long outage, or the holders died): their keys go. */
  expireLeases(): void {
    for (const lease of [...this.leases.keys()]) this.expire(lease);
  }

  down(): void {
    this.reachable = false;
    for (const watch of this.watches) watch.handlers.disconnected(new Error('connection refused'));
  }

  /** Reachable again; `watch: false` keeps the watches down (the client's backoff not over). */
  up({ watch = true } = {}): void {
    this.reachable = true;
    if (watch) for (const w of this.watches) w.handlers.connected();
  }

  close(): void {
    this.watches.clear();
  }

  private expire(lease: number): void {
    const keys = this.leases.get(lease);
    this.leases.delete(lease);
    if (keys)
      this.transaction(() => {
        keys.forEach((key) => this.data.delete(key));
      });
  }

  private transaction(change: () => void): void {
    const before = new Map(this.data);
    change();
    this.revision++;
    const changed = [...new Set([...before.keys(), ...this.data.keys()])].filter(
      (key) => before.get(key) !== this.data.get(key),
    );
    if (!this.reachable) return;
    for (const watch of this.watches)
      if (changed.some((key) => key.startsWith(watch.prefix))) watch.handlers.changed();
  }

  private check(): void {
    if (!this.reachable) throw new Error('etcd unreachable (fake)');
  }
}
