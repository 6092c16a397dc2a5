// A director as a member of a fleet: its desired state is its local config merged with the
// services under PREFIX in etcd (shared-state.ts), and its status is published under
// PREFIX/directors/<name> with a lease (director-status.ts). What `ipvs serve --etcd` runs.
import type { ServiceStatus } from '../health/checker.js';
import type { Logger } from '../health/log.js';
import type { DesiredStateStore } from './desired-state-store.js';
import type { LocalConfigText } from './desired-state.js';
import { directorStatus, StatusPublisher } from './director-status.js';
import type { ServeConfig } from './serve-config.js';
import { SharedState } from './shared-state.js';
import { directorKey } from './shared-services.js';

export interface FleetMemberOptions {
  /** The store; by default etcd at `urls` (the client is loaded only then). */
  store?: DesiredStateStore;
  urls: readonly string[];
  /** The fleet's prefix (fleetPrefix()). */
  prefix: string;
  /** This director's name under PREFIX/directors/. */
  name: string;
  /** The status key's lease: how long a dead director's entry outlives it. */
  statusTtlSeconds: number;
  local: LocalConfigText | undefined;
  log: Logger;
  debounceMs?: number;
  /** Wait for the store at start (default); false: fail at once (a --check). */
  waitForStore?: boolean;
}

/** Opens the store (loading the etcd client only here: it is a costly import). */
export async function openStore(urls: readonly string[]): Promise<DesiredStateStore> {
  const { EtcdStore } = await import('./etcd-store.js');
  return new EtcdStore(urls);
}

export class FleetMember {
  private publisher: StatusPublisher | undefined;
  private apply: (config: ServeConfig) => Promise<void> = () => Promise.resolve();
  private readonly shared: SharedState;

  private constructor(
    private readonly store: DesiredStateStore,
    private readonly options: FleetMemberOptions,
  ) {
    this.shared = new SharedState({
      store,
      prefix: options.prefix,
      local: options.local,
      apply: (config) => this.apply(config),
      log: options.log,
      changed: () => this.publisher?.publish(),
      ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
      ...(options.waitForStore === undefined ? {} : { waitForStore: options.waitForStore }),
    });
  }

  /** Joins: waits for the first shared revision; returns the member and the config to start with. */
  static async join(
    options: FleetMemberOptions,
  ): Promise<{ member: FleetMember; config: ServeConfig }> {
    const store = options.store ?? (await openStore(options.urls));
    const member = new FleetMember(store, options);
    try {
      return { member, config: await member.shared.initial() };
    } catch (error) {
      store.close();
      throw error;
    }
  }

  /**
   * Follows the shared state from now on, applying each good revision with `apply`, and publishes
   * the director's status (`services`: the checker's view).
   */
  follow(apply: (config: ServeConfig) => Promise<void>, services: () => ServiceStatus[]): void {
    this.apply = apply;
    const key = this.store.leasedKey(
      directorKey(this.options.prefix, this.options.name),
      this.options.statusTtlSeconds,
    );
    this.publisher = new StatusPublisher(
      key,
      () => directorStatus(this.options.name, this.shared.status(), services()),
      this.options.log,
    );
    this.publisher.start(1000);
    this.shared.follow();
  }

  /** The local file re-read (SIGHUP), merged with the last good shared revision. */
  reloadLocal(local: LocalConfigText | undefined): Promise<void> {
    return this.shared.reloadLocal(local);
  }

  /** Stops following and removes the status entry (a clean stop need not wait for the TTL). */
  async stop(): Promise<void> {
    await this.shared.stop();
    await this.publisher?.stop();
    this.store.close();
  }
}
