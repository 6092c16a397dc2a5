// The port through which a director shares its desired state with the fleet: a key-value store
// with revisions, prefix watches, transactions and leases (etcd: etcd-store.ts). The rest of
// lib/fleet speaks only this interface, so unit tests run against an in-memory store and the CLI
// loads the etcd client only when --etcd is given.

/** Every key under a prefix and their values, as the store held them at `revision`. */
export interface PrefixSnapshot {
  /** The store's revision the read saw (decimal text: etcd's revisions are 64-bit). */
  revision: string;
  entries: ReadonlyMap<string, string>;
}

export interface PrefixWatchHandlers {
  /** Something under the prefix changed (one call per batch the store sends). */
  changed(): void;
  /** The watch stream was (re)established: a read now catches up with anything missed. */
  connected(): void;
  /** The stream broke; the store retries on its own. */
  disconnected(error: Error): void;
}

export interface PrefixWatch {
  close(): Promise<void>;
}

/** A key kept alive by a lease: it disappears when the holder stops renewing (dies). */
export interface LeasedKey {
  /** Writes the value; a lease lost meanwhile (store unreachable past its TTL) is granted anew. */
  set(value: string): Promise<void>;
  /** True before the first set and after the lease was lost: the key must be written again. */
  lost(): boolean;
  /** Revokes the lease: the key goes at once. */
  release(): Promise<void>;
}

/** What `replacePrefix` did. */
export interface ReplaceResult {
  revision: string;
  put: string[];
  deleted: string[];
}

export interface DesiredStateStore {
  /** Reads the prefix in one request (one revision). */
  readPrefix(prefix: string): Promise<PrefixSnapshot>;
  /** Watches the prefix from the revision after `afterRevision`. */
  watchPrefix(
    prefix: string,
    afterRevision: string,
    handlers: PrefixWatchHandlers,
  ): Promise<PrefixWatch>;
  /**
   * Makes the prefix hold exactly `entries` in one transaction: writes the keys whose value differs
   * and deletes the prefix's other keys. Retried when another writer changed the prefix between
   * the read and the transaction.
   */
  replacePrefix(prefix: string, entries: ReadonlyMap<string, string>): Promise<ReplaceResult>;
  /** A key bound to a lease of `ttlSeconds`, renewed while this process lives. */
  leasedKey(key: string, ttlSeconds: number): LeasedKey;
  close(): void;
}
