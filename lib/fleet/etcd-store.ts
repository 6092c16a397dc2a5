// The DesiredStateStore on etcd (v3 API) through the etcd3 client. Loaded by the CLI only when
// --etcd is given: the client and gRPC are the costliest imports a director could make.
// Reconnection is the client's: calls go through its retry policy and circuit breaker, the watch
// re-opens with exponential backoff and resumes from the last revision it saw, and a lease whose
// keepalives fail past its TTL is reported lost (LeasedKey then grants a new one on the next set).
import { Etcd3, type IKeyValue, type IRequestOp, type Lease } from 'etcd3';
import { errorMessage } from '../model/guards.js';
import type {
  DesiredStateStore,
  LeasedKey,
  PrefixSnapshot,
  PrefixWatch,
  PrefixWatchHandlers,
  ReplaceResult,
} from './desired-state-store.js';

/** The first key after every key that starts with `prefix` (etcd's range_end for a prefix). */
function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    const byte = end[i] ?? 0;
    if (byte < 0xff) {
      end[i] = byte + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

const REPLACE_ATTEMPTS = 5;

/** "http://10.0.0.1:2379" or "10.0.0.1:2379" as the client takes it. */
export function etcdHosts(urls: readonly string[]): string[] {
  return urls.map((url) => url.trim()).filter((url) => url.length > 0);
}

export class EtcdStore implements DesiredStateStore {
  private readonly client: Etcd3;

  constructor(
    urls: readonly string[],
    options: { dialTimeoutMs?: number; callTimeoutMs?: number } = {},
  ) {
    this.client = new Etcd3({
      hosts: etcdHosts(urls),
      dialTimeout: options.dialTimeoutMs ?? 3000,
      // A deadline on single calls: a frozen etcd (SIGSTOP, a partition) must not hold a read
      // forever, and with it every reload queued behind it. Streams (watch, keepalive) have none.
      defaultCallOptions: (context) =>
        context.isStream ? {} : { deadline: Date.now() + (options.callTimeoutMs ?? 5000) },
    });
  }

  async readPrefix(prefix: string): Promise<PrefixSnapshot> {
    const response = await this.client.getAll().prefix(prefix).exec();
    const entries = new Map<string, string>();
    for (const kv of response.kvs) entries.set(kv.key.toString(), kv.value.toString());
    return { revision: response.header.revision, entries };
  }

  async watchPrefix(
    prefix: string,
    afterRevision: string,
    handlers: PrefixWatchHandlers,
  ): Promise<PrefixWatch> {
    const watcher = await this.client
      .watch()
      .prefix(prefix)
      .startRevision((BigInt(afterRevision) + 1n).toString())
      .create();
    watcher.on('data', () => {
      handlers.changed();
    });
    watcher.on('connected', () => {
      handlers.connected();
    });
    watcher.on('disconnected', (error: Error) => {
      handlers.disconnected(error);
    });
    // An 'error' without a listener would throw; the watch manager retries after it anyway.
    watcher.on('error', (error: Error) => {
      handlers.disconnected(error);
    });
    return { close: () => watcher.cancel() };
  }

  async replacePrefix(
    prefix: string,
    entries: ReadonlyMap<string, string>,
  ): Promise<ReplaceResult> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.client.getAll().prefix(prefix).exec();
      const now = new Map(current.kvs.map((kv: IKeyValue) => [kv.key.toString(), kv.value]));
      const put = [...entries].filter(([key, value]) => !now.get(key)?.equals(Buffer.from(value)));
      const deleted = [...now.keys()].filter((key) => !entries.has(key));
      const operations: IRequestOp[] = [
        ...put.map(([key, value]) => ({
          request_put: { key: Buffer.from(key), value: Buffer.from(value) },
        })),
        ...deleted.map((key) => ({ request_delete_range: { key: Buffer.from(key) } })),
      ];
      // Applied only if no key under the prefix was written since the read.
      const result = await this.client.kv.txn({
        compare: [
          {
            key: Buffer.from(prefix),
            range_end: prefixEnd(prefix),
            target: 'Mod',
            result: 'Less',
            mod_revision: (BigInt(current.header.revision) + 1n).toString(),
          },
        ],
        success: operations,
        failure: [],
      });
      if (result.succeeded)
        return {
          revision: result.header.revision,
          put: put.map(([key]) => key),
          deleted,
        };
      if (attempt >= REPLACE_ATTEMPTS)
        throw new Error(`${prefix} kept changing under another writer; nothing was written`);
    }
  }

  leasedKey(key: string, ttlSeconds: number): LeasedKey {
    let lease: Lease | undefined;
    const fresh = (): Lease => {
      const granted = this.client.lease(ttlSeconds);
      // Lost: etcd was unreachable past the TTL (the key is gone); the next set grants anew.
      granted.on('lost', () => {
        if (lease === granted) lease = undefined;
      });
      return granted;
    };
    return {
      set: async (value) => {
        lease ??= fresh();
        const current = lease;
        try {
          await current.put(key).value(value).exec();
        } catch (error) {
          if (lease === current) lease = undefined;
          current.release();
          throw new Error(`could not write ${key}: ${errorMessage(error)}`, { cause: error });
        }
      },
      lost: () => lease === undefined,
      release: async () => {
        const current = lease;
        lease = undefined;
        await current?.revoke();
      },
    };
  }

  close(): void {
    this.client.close();
  }
}
