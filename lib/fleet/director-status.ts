// A director's entry under PREFIX/directors/<name>: what it applied and how its real servers are,
// bound to a lease so that a director that dies (or loses the store past the TTL) disappears.
// Written when it changes, and again after the lease was lost; a failed write is retried on the
// next tick, never fatal.
import type { ServiceStatus } from '../health/checker.js';
import type { Logger } from '../health/log.js';
import { errorMessage } from '../model/guards.js';
import type { LeasedKey } from './desired-state-store.js';
import type { SharedStateStatus } from './shared-state.js';

export interface DirectorStatus {
  name: string;
  /** The etcd revision whose shared services are applied. */
  revision: string | null;
  services: number;
  sharedServices: number;
  destinations: { up: number; down: number; unknown: number };
  /** Services whose quorum is lost. */
  quorumLost: string[];
  /** The last refused revision since the applied one. */
  refused: { revision: string; error: string } | null;
  time: string;
}

export function directorStatus(
  name: string,
  shared: SharedStateStatus,
  services: readonly ServiceStatus[],
): DirectorStatus {
  const destinations = { up: 0, down: 0, unknown: 0 };
  for (const service of services) for (const d of service.destinations) destinations[d.health]++;
  return {
    name,
    revision: shared.revision ?? null,
    services: services.length,
    sharedServices: shared.sharedServices,
    destinations,
    quorumLost: services.filter((s) => !s.quorumMet).map((s) => s.service),
    refused: shared.refused ?? null,
    time: new Date().toISOString(),
  };
}

export class StatusPublisher {
  private last: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failing = false;

  constructor(
    private readonly key: LeasedKey,
    private readonly current: () => DirectorStatus,
    private readonly log: Logger,
  ) {}

  /** Publishes now and then every `everyMs` when something changed. */
  start(everyMs: number): void {
    this.publish();
    this.timer = setInterval(() => {
      this.publish();
    }, everyMs);
  }

  /** Writes the status if it differs from the last written (time aside). */
  publish(): void {
    this.writing = this.writing.then(async () => {
      const { time, ...rest } = this.current();
      const content = JSON.stringify(rest);
      if (content === this.last && !this.key.lost()) return;
      try {
        await this.key.set(JSON.stringify({ ...rest, time }));
        this.last = content;
        if (this.failing) this.log({ time, level: 'info', event: 'etcd-status-written' });
        this.failing = false;
      } catch (error) {
        if (!this.failing)
          this.log({
            time,
            level: 'warn',
            event: 'etcd-status-failed',
            error: errorMessage(error),
          });
        this.failing = true;
      }
    });
  }

  /** Stops publishing and revokes the lease (the entry goes at once). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.writing;
    await this.key.release().catch(() => undefined);
  }
}
