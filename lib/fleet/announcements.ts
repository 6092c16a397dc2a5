// Health-gated BGP announcements: each prefix of the `bgp` section is announced while its
// services have quorum (all of them, or any, as configured) and withdrawn otherwise, so that the
// routers stop sending a director traffic it cannot serve. Fed the health checker's quorum
// (its status at start, then its 'quorum' events). Changes go to the RouteAnnouncer one at a
// time, in order; a failure is logged and tried again later, never thrown: the director keeps
// serving whatever the routing daemon does. Every prefix's state is told again now and then
// (a restarted bgpd has forgotten it), and stop() withdraws everything.
import type { QuorumChange } from '../health/events.js';
import type { Logger } from '../health/log.js';
import type { ServiceStatus } from '../health/checker.js';
import { errorMessage } from '../model/guards.js';
import type { BgpAnnouncementConfig, BgpConfig } from './bgp-config.js';
import { RouteAnnouncerError, type RouteAnnouncer } from './route-announcer.js';

/** What the announcements read from the health checker. */
export interface QuorumSource {
  status(): ReadonlyArray<Pick<ServiceStatus, 'service' | 'quorumMet'>>;
  on(event: 'quorum', listener: (change: QuorumChange) => void): unknown;
  off(event: 'quorum', listener: (change: QuorumChange) => void): unknown;
}

export interface BgpAnnouncementsOptions {
  config: BgpConfig;
  /** The announcer for a config (vtysh.ts's in serve; a fake in tests). */
  announcerFor: (config: BgpConfig) => RouteAnnouncer;
  log: Logger;
}

type State = 'announced' | 'withdrawn';

export interface AnnouncementStatus {
  prefix: string;
  wanted: State;
  /** What the routing daemon was last told successfully; undefined before that, or after a failure. */
  told: State | undefined;
}

/** The announcer's settings: a change of these needs a new announcer. */
function announcerKey(config: BgpConfig): string {
  return JSON.stringify([config.vtysh, config.vtySocket, config.asn, config.timeoutMs]);
}

export class BgpAnnouncements {
  private config: BgpConfig;
  private announcer: RouteAnnouncer;
  private source: QuorumSource | undefined;
  private readonly lost = new Set<string>();
  private readonly told = new Map<string, State>();
  private queue: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private reassertTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly onQuorum = (change: QuorumChange): void => {
    if (change.met) this.lost.delete(change.service);
    else this.lost.add(change.service);
    this.sync(`quorum ${change.met ? 'met' : 'lost'}: ${change.service}`);
  };

  constructor(private readonly options: BgpAnnouncementsOptions) {
    this.config = options.config;
    this.announcer = options.announcerFor(options.config);
  }

  /** Reads the quorum now, follows its changes, and tells the routing daemon what is wanted. */
  start(source: QuorumSource): void {
    this.source = source;
    this.readQuorum();
    source.on('quorum', this.onQuorum);
    this.scheduleReassert();
    this.sync('start');
  }

  /** Applies a reloaded `bgp` section: prefixes no longer listed are withdrawn. */
  refresh(config: BgpConfig): void {
    if (this.stopped) return;
    const before = this.config;
    const kept = new Set(config.announce.map((a) => a.prefix.text));
    const gone = before.announce.filter((a) => !kept.has(a.prefix.text));
    const newAnnouncer = announcerKey(before) !== announcerKey(config);
    // With new settings (another ASN, socket, program), the old block's statements go first.
    const withdrawals = newAnnouncer ? before.announce : gone;
    const previous = this.announcer;
    this.enqueue(async () => {
      for (const entry of withdrawals)
        await this.tell(previous, entry, 'withdrawn', 'removed from the config', true);
    });
    this.config = config;
    if (newAnnouncer) {
      this.announcer = this.options.announcerFor(config);
      this.told.clear();
    }
    for (const entry of gone) this.told.delete(entry.prefix.text);
    this.readQuorum();
    this.scheduleReassert();
    this.sync('reload');
  }

  /** Stops following the quorum and withdraws every prefix (one attempt each, logged). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.source?.off('quorum', this.onQuorum);
    clearTimeout(this.retryTimer);
    clearInterval(this.reassertTimer);
    const { announce } = this.config;
    const announcer = this.announcer;
    this.queue = this.queue.then(async () => {
      for (const entry of announce)
        await this.tell(announcer, entry, 'withdrawn', 'stopping', true);
    });
    await this.queue;
  }

  /** Resolves when the changes asked for so far have been tried. */
  idle(): Promise<void> {
    return this.queue;
  }

  status(): AnnouncementStatus[] {
    return this.config.announce.map((entry) => ({
      prefix: entry.prefix.text,
      wanted: this.wanted(entry),
      told: this.told.get(entry.prefix.text),
    }));
  }

  private readQuorum(): void {
    this.lost.clear();
    for (const service of this.source?.status() ?? [])
      if (!service.quorumMet) this.lost.add(service.service);
  }

  private wanted(entry: BgpAnnouncementConfig): State {
    const met = (service: string): boolean => !this.lost.has(service);
    const up = entry.when === 'all' ? entry.services.every(met) : entry.services.some(met);
    return up ? 'announced' : 'withdrawn';
  }

  private reasonOf(entry: BgpAnnouncementConfig, trigger: string): string {
    const lost = entry.services.filter((s) => this.lost.has(s));
    const quorum =
      lost.length === 0
        ? 'every service has quorum'
        : `no quorum: ${lost.join(', ')}${entry.when === 'any' && lost.length < entry.services.length ? ' (any suffices)' : ''}`;
    return `${trigger}; ${quorum}`;
  }

  /** Tells the routing daemon each prefix whose wanted state it was not told (all when `every`). */
  private sync(trigger: string, every = false): void {
    this.enqueue(async () => {
      for (const entry of this.config.announce) {
        const wanted = this.wanted(entry);
        if (!every && this.told.get(entry.prefix.text) === wanted) continue;
        await this.tell(this.announcer, entry, wanted, this.reasonOf(entry, trigger), false);
      }
    });
  }

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(() => (this.stopped ? undefined : step()));
  }

  /** One change; `final` for a withdrawal that is not tracked (removed, stopping): no retry. */
  private async tell(
    announcer: RouteAnnouncer,
    entry: BgpAnnouncementConfig,
    state: State,
    reason: string,
    final: boolean,
  ): Promise<void> {
    const prefix = entry.prefix.text;
    const before = this.told.get(prefix);
    try {
      if (state === 'announced') await announcer.announce(entry.prefix);
      else await announcer.withdraw(entry.prefix);
    } catch (error) {
      if (!final) this.told.delete(prefix);
      const details =
        error instanceof RouteAnnouncerError
          ? { exitCode: error.exitCode, code: error.code, output: error.output }
          : {};
      this.options.log({
        time: new Date().toISOString(),
        level: 'error',
        event: state === 'announced' ? 'bgp-announce-failed' : 'bgp-withdraw-failed',
        prefix,
        reason,
        error: errorMessage(error),
        ...details,
        ...(final ? {} : { retryInMs: this.config.retryIntervalMs }),
      });
      if (!final) this.scheduleRetry();
      return;
    }
    if (!final) this.told.set(prefix, state);
    this.options.log({
      time: new Date().toISOString(),
      // Telling the daemon again what it already had is routine; a change is news.
      level: before === state && !final ? 'debug' : 'info',
      event: state === 'announced' ? 'bgp-announce' : 'bgp-withdraw',
      prefix,
      reason,
    });
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== undefined || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.sync('retry');
    }, this.config.retryIntervalMs);
    this.retryTimer.unref();
  }

  private scheduleReassert(): void {
    clearInterval(this.reassertTimer);
    this.reassertTimer = undefined;
    if (this.config.reassertIntervalMs === 0) return;
    this.reassertTimer = setInterval(() => {
      this.sync('reassert', true);
    }, this.config.reassertIntervalMs);
    this.reassertTimer.unref();
  }
}
