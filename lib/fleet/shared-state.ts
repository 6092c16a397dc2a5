// Follows the fleet's shared services (PREFIX/services/ in a DesiredStateStore) and keeps a
// director's config the merge of its local file and the last good shared revision.
// - Each watched change (debounced: a push is one transaction, but several pushes may follow each
//   other) reads the whole prefix at one revision, validates the merge and hands it to `apply`
//   (the checker's reload, by difference). A revision that does not validate is logged
//   (etcd-revision-refused) and the last good one kept.
// - Losing the store is logged once (etcd-lost); the director keeps its table and its checks. A
//   failed read is retried with backoff (up to 5 s), and the prefix polled every 5 s while the
//   watch is down; the watch reconnects on its own (its backoff reaches 30 s), and each (re)connection
//   re-reads the prefix, so nothing written meanwhile is missed (etcd-back).
// - The local file is re-read on demand (SIGHUP) and merged with the last good shared revision.
// Reads, reloads and applies run one at a time, in order.
import type { Logger, LogLevel } from '../health/log.js';
import { errorMessage } from '../model/guards.js';
import type { DesiredStateStore, PrefixSnapshot, PrefixWatch } from './desired-state-store.js';
import { mergeDesiredState, type LocalConfigText } from './desired-state.js';
import type { ServeConfig } from './serve-config.js';
import { decodeSharedServices, servicesPrefix, type SharedService } from './shared-services.js';

export interface SharedStateOptions {
  store: DesiredStateStore;
  /** The fleet's prefix (fleetPrefix()). */
  prefix: string;
  local: LocalConfigText | undefined;
  /** Applies a validated config (the checker's and VRRP's reloads). */
  apply: (config: ServeConfig) => Promise<void>;
  log: Logger;
  /** Called after each revision applied or refused, and on connection changes. */
  changed?: () => void;
  /** Wait after a watch event before reading, so that a burst is read once. Default 100 ms. */
  debounceMs?: number;
  /** First pause before a failed read is retried (doubling up to 5 s). Default 500 ms. */
  retryMs?: number;
  /** initial() waits for the store (default); false: the first failed read throws (--check). */
  waitForStore?: boolean;
}

export interface SharedStateStatus {
  /** The revision whose shared services are applied (undefined before the first good one). */
  revision: string | undefined;
  sharedServices: number;
  /** The last revision refused since the last applied one, and why. */
  refused: { revision: string; error: string } | undefined;
  connected: boolean;
}

const MAX_RETRY_MS = 5000;

function fingerprint(entries: ReadonlyMap<string, string>): string {
  return JSON.stringify([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export class SharedState {
  private local: LocalConfigText | undefined;
  private shared: SharedService[] = [];
  private revision: string | undefined;
  private refused: SharedStateStatus['refused'];
  /** The entries last read and decided on (applied or refused): the same again is no change. */
  private seen: string | undefined;
  private connected = false;
  private lostAt: number | undefined;
  private queue: Promise<void> = Promise.resolve();
  private debounce: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  /** A read while the watch is down: the store may be back before the watch's backoff ends. */
  private poller: NodeJS.Timeout | undefined;
  private watching = false;
  private retryMs: number;
  private watch: PrefixWatch | undefined;
  private stopped = false;
  private firstRevision: string | undefined;
  private readonly keys: string;

  constructor(private readonly options: SharedStateOptions) {
    this.local = options.local;
    this.keys = servicesPrefix(options.prefix);
    this.retryMs = options.retryMs ?? 500;
  }

  status(): SharedStateStatus {
    return {
      revision: this.revision,
      sharedServices: this.shared.length,
      refused: this.refused,
      connected: this.connected,
    };
  }

  /**
   * Reads the first revision, waiting for the store as long as it takes (a director starts with
   * what the fleet wants, not an empty table), and returns the config to start with. A refused
   * first revision starts the director on its local config alone; a local config that does not
   * validate throws.
   */
  async initial(): Promise<ServeConfig> {
    let snapshot: PrefixSnapshot | undefined;
    for (let delay = this.retryMs; !snapshot; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      try {
        snapshot = await this.options.store.readPrefix(this.keys);
      } catch (error) {
        if (this.options.waitForStore === false)
          throw new Error(`could not read ${this.keys}: ${errorMessage(error)}`, { cause: error });
        if (this.stopped)
          throw new Error('stopped while waiting for the shared state', { cause: error });
        this.lost(error);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    this.back();
    const decided = this.decide(snapshot);
    this.firstRevision = snapshot.revision;
    return decided ?? mergeDesiredState(this.local, []);
  }

  /** Starts following the changes after the first revision (once `apply` can take them). */
  follow(): void {
    if (this.firstRevision === undefined) throw new Error('follow() before initial()');
    this.startWatch(this.firstRevision);
  }

  /** Re-reads the local file's text (SIGHUP): merged with the last good shared revision. */
  reloadLocal(local: LocalConfigText | undefined): Promise<void> {
    return this.enqueue(async () => {
      let config: ServeConfig;
      try {
        config = mergeDesiredState(local, this.shared);
      } catch (error) {
        this.record('error', 'reload-failed', { file: local?.file, error: errorMessage(error) });
        return;
      }
      this.local = local;
      await this.options.apply(config);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.debounce);
    clearTimeout(this.retry);
    clearTimeout(this.poller);
    await this.watch?.close().catch(() => undefined);
    await this.queue;
  }

  // ---- reading ----

  private startWatch(revision: string): void {
    this.options.store
      .watchPrefix(this.keys, revision, {
        changed: () => {
          this.schedule();
        },
        connected: () => {
          this.watching = true;
          this.back();
          this.schedule();
        },
        disconnected: (error) => {
          this.watching = false;
          this.lost(error);
          this.pollIn(this.retryMs);
        },
      })
      .then(
        (watch) => {
          if (this.stopped) void watch.close();
          else this.watch = watch;
        },
        (error: unknown) => {
          this.lost(error);
          if (!this.stopped)
            this.retry = setTimeout(() => {
              this.startWatch(revision);
            }, this.retryMs);
        },
      );
  }

  /** A read in `ms` unless one is already planned. */
  private pollIn(ms: number): void {
    if (this.stopped || this.poller) return;
    this.poller = setTimeout(() => {
      this.poller = undefined;
      this.schedule();
    }, ms);
  }

  /** A read soon: events that come together are read once. */
  private schedule(): void {
    if (this.stopped || this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.enqueue(() => this.refresh());
    }, this.options.debounceMs ?? 100);
  }

  private async refresh(): Promise<void> {
    let snapshot: PrefixSnapshot;
    try {
      snapshot = await this.options.store.readPrefix(this.keys);
    } catch (error) {
      this.lost(error);
      this.pollIn(this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      return;
    }
    this.retryMs = this.options.retryMs ?? 500;
    this.back();
    if (!this.watching) this.pollIn(MAX_RETRY_MS);
    const config = this.decide(snapshot);
    if (!config) return;
    try {
      await this.options.apply(config);
    } catch (error) {
      this.seen = undefined; // tried again on the next event
      this.record('error', 'etcd-apply-failed', {
        revision: snapshot.revision,
        error: errorMessage(error),
      });
    }
  }

  /**
   * Validates a revision merged with the local config: the config to apply, or undefined when it
   * is the same as the last one decided on, or refused (logged, the last good kept).
   */
  private decide(snapshot: PrefixSnapshot): ServeConfig | undefined {
    const print = fingerprint(snapshot.entries);
    if (print === this.seen) return undefined;
    this.seen = print;
    let shared: SharedService[];
    let config: ServeConfig;
    try {
      shared = decodeSharedServices(this.options.prefix, snapshot.entries);
      config = mergeDesiredState(this.local, shared);
    } catch (error) {
      this.refused = { revision: snapshot.revision, error: errorMessage(error) };
      this.record('error', 'etcd-revision-refused', this.refused);
      this.options.changed?.();
      return undefined;
    }
    this.shared = shared;
    this.revision = snapshot.revision;
    this.refused = undefined;
    this.record('info', 'etcd-revision-applied', {
      revision: snapshot.revision,
      sharedServices: shared.length,
      services: config.health.services.length,
    });
    this.options.changed?.();
    return config;
  }

  // ---- connection ----

  private lost(error: unknown): void {
    if (!this.connected && this.lostAt !== undefined) return;
    this.connected = false;
    this.lostAt = Date.now();
    this.record('warn', 'etcd-lost', { error: errorMessage(error) });
    this.options.changed?.();
  }

  private back(): void {
    if (this.connected) return;
    this.connected = true;
    if (this.lostAt !== undefined) {
      this.record('info', 'etcd-back', { afterSeconds: (Date.now() - this.lostAt) / 1000 });
      this.options.changed?.();
    }
    this.lostAt = undefined;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task).catch((error: unknown) => {
      this.record('error', 'etcd-apply-failed', { error: errorMessage(error) });
    });
    return this.queue;
  }

  private record(level: LogLevel, event: string, fields: Record<string, unknown>): void {
    this.options.log({ time: new Date().toISOString(), level, event, ...fields });
  }
}
