// One running VRRP instance: the state machine (on timers, through VrrpDriver) wired to a VRRP
// channel, an announcer, the interface's addresses and the kernel's sync daemon. Received
// datagrams go through acceptDatagram: a refused one is counted and logged, never acted on.
// Actions that touch the host (addresses, announcements, the sync daemon) run one after another
// in the order the machine gave them, so that a quick master-backup-master leaves the addresses
// where the last state wants them. Nothing a peer sends, no send error and no host failure ends
// the instance: each is logged and the election goes on.
import { EventEmitter } from 'node:events';
import type { Logger, LogLevel } from '../health/log.js';
import { errorMessage } from '../model/guards.js';
import type { NotifyState, VrrpInstanceConfig } from './config.js';
import { VrrpDriver } from './driver.js';
import {
  addVirtualAddresses,
  findLink,
  linkUsable,
  primaryAddress,
  removeVirtualAddresses,
  type VrrpHost,
} from './host.js';
import { machineOptions, receivingInstance } from './instance-options.js';
import { notifyEnvironment, runCommand, type RunCommand } from './notify.js';
import { encodeAdvertisement } from './packet.js';
import type { Announcer, VrrpChannel, VrrpNetwork } from './ports.js';
import { LogRateLimit } from './rate-limit.js';
import {
  acceptDatagram,
  type DropReason,
  type ReceivingInstance,
  type VrrpDatagram,
} from './receive.js';
import {
  VrrpStateMachine,
  type TransitionReason,
  type VrrpAction,
  type VrrpState,
} from './state-machine.js';
import { followRole, type SyncDaemons } from './sync-daemon.js';

const GROUP = { ipv4: '224.0.0.18', ipv6: 'ff02::12' } as const;
const RECEIVE_WAIT_MS = 1000;
const LOG_PERIOD_MS = 10_000;

/** Why a datagram was not given to the machine: receive.ts's reasons and a stranger (unicast). */
export type InstanceDropReason = DropReason | 'unknown-peer';

/** Why an instance is in fault: its interface, or a tracked service ("quorum-lost"). */
export type FaultCause = 'interface-down' | 'quorum-lost';

export interface VrrpStateEvent {
  instance: string;
  state: VrrpState;
  from: VrrpState;
  /** The machine's reason, or for a fault its cause. */
  reason: TransitionReason | FaultCause;
  priority: number;
}

export interface VrrpCounters {
  advertisementsSent: number;
  advertisementsReceived: number;
  sendErrors: number;
  announcements: number;
  drops: Partial<Record<InstanceDropReason, number>>;
}

export interface VrrpInstanceStatus {
  name: string;
  interface: string;
  virtualRouterId: number;
  family: VrrpInstanceConfig['family'];
  state: VrrpState;
  priority: number;
  /** The configured priority, before tracked services changed it. */
  basePriority: number;
  virtualAddresses: string[];
  faults: FaultCause[];
  counters: VrrpCounters;
}

export interface VrrpInstanceEvents {
  state: [VrrpStateEvent];
}

export interface VrrpInstanceOptions {
  config: VrrpInstanceConfig;
  network: VrrpNetwork;
  /** The namespace the interface is in; NetNamespace from host/net-config.ts. */
  host: VrrpHost;
  /** The IPVS handle, for the sync daemon. */
  ipvs: SyncDaemons;
  log: Logger;
  /** Runs notify commands; child_process.execFile without a shell by default. */
  runCommand?: RunCommand;
  /** How often the interface's state is read, for the fault state. Default: 1 s. */
  linkPollMs?: number;
}

export class VrrpInstance extends EventEmitter<VrrpInstanceEvents> {
  private config: VrrpInstanceConfig;
  private readonly options: VrrpInstanceOptions;
  private driver: VrrpDriver | undefined;
  private channel: VrrpChannel | undefined;
  private announcer: Announcer | undefined;
  private receiving: ReceivingInstance | undefined;
  private primary = '';
  private running = false;
  /** Host actions, one after another. */
  private work: Promise<void> = Promise.resolve();
  private loop: Promise<void> = Promise.resolve();
  private repeatTimer: NodeJS.Timeout | undefined;
  private linkTimer: NodeJS.Timeout | undefined;
  private readonly faults = new Set<FaultCause>();
  /** Services the checker reported without quorum (all of them: a reload may track others). */
  private readonly lost = new Set<string>();
  private readonly limit = new LogRateLimit(LOG_PERIOD_MS);
  readonly counters: VrrpCounters = {
    advertisementsSent: 0,
    advertisementsReceived: 0,
    sendErrors: 0,
    announcements: 0,
    drops: {},
  };

  constructor(options: VrrpInstanceOptions) {
    super();
    this.options = options;
    this.config = options.config;
  }

  get name(): string {
    return this.config.name;
  }

  get state(): VrrpState {
    return this.driver?.machine.state ?? 'initialize';
  }

  get priority(): number {
    return this.driver?.machine.priority ?? this.trackedPriority();
  }

  /** The primary address read at start ('' before). */
  get primaryAddress(): string {
    return this.primary;
  }

  status(): VrrpInstanceStatus {
    const c = this.config;
    return {
      name: c.name,
      interface: c.interface,
      virtualRouterId: c.virtualRouterId,
      family: c.family,
      state: this.state,
      priority: this.priority,
      basePriority: c.priority,
      virtualAddresses: c.virtualAddresses.map((v) => `${v.address}/${v.prefixLength}`),
      faults: [...this.faults],
      counters: { ...this.counters, drops: { ...this.counters.drops } },
    };
  }

  /** Opens the sockets and starts the election; rejects (and leaves nothing open) on failure. */
  async start(): Promise<void> {
    if (this.running || this.driver) throw new Error(`${this.config.path}: started already`);
    const { network, host } = this.options;
    const c = this.config;
    const link = await findLink(host, c.interface);
    if (link === undefined)
      throw new Error(`${c.path}: no interface ${c.interface} in network namespace ${host.path}`);
    this.primary = await primaryAddress(host, c, link.index);
    this.channel = await network.openChannel(host.path, c.interface, c.family);
    try {
      this.announcer = await network.openAnnouncer(host.path, c.interface);
    } catch (error) {
      // Without announcements the addresses still move; hosts follow once their ARP or
      // neighbour entries expire. Worth an error line, not worth refusing failover.
      this.log('error', 'vrrp-announcer-failed', {
        instance: c.name,
        error: errorMessage(error),
        detail: 'running without gratuitous ARP / unsolicited NA',
      });
    }
    this.receiving = receivingInstance(c, this.primary);
    const machine = new VrrpStateMachine(machineOptions(c, this.primary));
    this.driver = new VrrpDriver(machine, (action) => {
      this.perform(action);
    });
    this.running = true;
    if (!linkUsable(link)) this.faults.add('interface-down');
    if (this.trackedFault()) this.faults.add('quorum-lost');
    const priority = this.trackedPriority();
    if (priority !== c.priority) this.driver.setPriority(priority);
    if (this.faults.size > 0) this.driver.fault();
    else this.driver.start();
    this.loop = this.receiveLoop();
    this.linkTimer = setInterval(() => void this.checkLink(), this.options.linkPollMs ?? 1000);
    this.linkTimer.unref();
  }

  /**
   * RFC 5798 section 6.4.3's shutdown: a master advertises priority 0 (a backup takes over after
   * its skew time), the addresses go, the sync daemon stops; then the notify stop command.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.linkTimer);
    this.cancelRepeat();
    this.driver?.shutdown();
    await this.work;
    this.channel?.close();
    this.announcer?.close();
    await this.loop;
    this.log('info', 'vrrp-stopped', { instance: this.config.name });
    await this.notify('stop', { state: 'stop', from: 'initialize', reason: 'shutdown' });
  }

  /** The checker's `quorum` event: tracked services change the priority or cause a fault. */
  quorumChanged(service: string, met: boolean): void {
    if (met) this.lost.delete(service);
    else this.lost.add(service);
    this.applyTracking();
  }

  /**
   * A reloaded config whose changes need no restart (see needsRestart in instances.ts): the
   * priority, the tracked services, the announcements and the notify commands.
   */
  update(config: VrrpInstanceConfig): void {
    this.config = config;
    this.applyTracking();
  }

  /** Resolves once every host action queued so far has run (for tests and orderly stops). */
  async settled(): Promise<void> {
    await this.work;
  }

  /** A method, not the field: the receive loop's awaits let stop() change it. */
  private isRunning(): boolean {
    return this.running;
  }

  private trackedPriority(): number {
    const { priority, trackServices } = this.config;
    if (priority === 255) return 255;
    const change = trackServices
      .filter((tracked) => !tracked.fault && this.lost.has(tracked.service))
      .reduce((sum, tracked) => sum + tracked.weight, 0);
    return Math.min(254, Math.max(1, priority + change));
  }

  private trackedFault(): boolean {
    return this.config.trackServices.some((t) => t.fault && this.lost.has(t.service));
  }

  private applyTracking(): void {
    const driver = this.driver;
    if (!driver || !this.running) return;
    const priority = this.trackedPriority();
    if (priority !== driver.machine.priority && priority !== 255) {
      this.log('info', 'vrrp-priority', {
        instance: this.config.name,
        priority,
        from: driver.machine.priority,
        lost: this.config.trackServices
          .filter((t) => this.lost.has(t.service))
          .map((t) => t.service),
      });
      driver.setPriority(priority);
    }
    this.setFault('quorum-lost', this.trackedFault());
  }

  private setFault(cause: FaultCause, on: boolean): void {
    const driver = this.driver;
    if (!driver || !this.running || this.faults.has(cause) === on) return;
    const before = this.faults.size;
    if (on) this.faults.add(cause);
    else this.faults.delete(cause);
    if (before === 0 && this.faults.size > 0) driver.fault();
    else if (before > 0 && this.faults.size === 0) driver.clearFault();
  }

  private async checkLink(): Promise<void> {
    if (!this.running) return;
    try {
      const usable = linkUsable(await findLink(this.options.host, this.config.interface));
      if (usable === this.faults.has('interface-down')) {
        this.log(usable ? 'info' : 'warn', usable ? 'vrrp-interface-up' : 'vrrp-interface-down', {
          instance: this.config.name,
          interface: this.config.interface,
        });
        this.setFault('interface-down', !usable);
      }
    } catch (error) {
      this.logLimited('link-read', 'warn', 'vrrp-link-read-failed', { error: errorMessage(error) });
    }
  }

  private async receiveLoop(): Promise<void> {
    while (this.running && this.channel) {
      let datagram: VrrpDatagram | null;
      try {
        datagram = await this.channel.receive(RECEIVE_WAIT_MS);
      } catch (error) {
        if (!this.isRunning()) return;
        this.logLimited('receive', 'warn', 'vrrp-receive-failed', { error: errorMessage(error) });
        await new Promise((resolve) => setTimeout(resolve, RECEIVE_WAIT_MS));
        continue;
      }
      if (datagram && this.isRunning()) this.received(datagram);
    }
  }

  private received(datagram: VrrpDatagram): void {
    if (!this.receiving || !this.driver) return;
    const result = acceptDatagram(datagram, this.receiving);
    const peers = this.config.unicastPeers;
    if (!result.ok) {
      this.dropped(result.reason, result.detail, datagram.source);
      return;
    }
    if (peers.length > 0 && !peers.includes(datagram.source)) {
      this.dropped('unknown-peer', 'not one of unicastPeers', datagram.source);
      return;
    }
    this.counters.advertisementsReceived++;
    if (!result.addressesMatch)
      this.logLimited(`addresses ${datagram.source}`, 'warn', 'vrrp-address-mismatch', {
        source: datagram.source,
        detail: 'the sender lists other virtual addresses: a misconfiguration on one side',
      });
    this.driver.received(result.advertisement);
  }

  private dropped(reason: InstanceDropReason, detail: string, source: string): void {
    this.counters.drops[reason] = (this.counters.drops[reason] ?? 0) + 1;
    // Our own multicast looped back is expected; anything else is worth a line.
    const level: LogLevel = reason === 'own' ? 'debug' : 'warn';
    this.logLimited(`drop ${reason}`, level, 'vrrp-drop', { reason, detail, source });
  }

  private perform(action: Exclude<VrrpAction, { type: 'set-timer' | 'cancel-timer' }>): void {
    switch (action.type) {
      case 'send-advertisement': {
        this.advertise(action.priority);
        return;
      }
      case 'add-addresses': {
        this.queue('add addresses', async () => {
          for (const error of await addVirtualAddresses(this.options.host, this.config))
            this.log('error', 'vrrp-address-failed', { error: error.message });
        });
        return;
      }
      case 'remove-addresses':
        this.cancelRepeat();
        {
          this.queue('remove addresses', async () => {
            for (const error of await removeVirtualAddresses(this.options.host, this.config))
              this.log('error', 'vrrp-address-failed', { error: error.message });
          });
          return;
        }
      case 'announce': {
        this.announce();
        return;
      }
      case 'sync-daemon': {
        const spec = this.config.syncDaemon;
        if (spec === undefined) return;
        this.queue(`sync daemon ${action.role}`, () =>
          followRole(this.options.ipvs, spec, action.role),
        );
        return;
      }
      case 'state': {
        this.transition(action.from, action.to, action.reason);
        return;
      }
    }
  }

  private advertise(priority: number): void {
    const c = this.config;
    const channel = this.channel;
    if (!channel) return;
    const destinations = c.unicastPeers.length > 0 ? c.unicastPeers : [GROUP[c.family]];
    for (const destination of destinations) {
      try {
        const message = encodeAdvertisement(
          {
            version: c.version,
            family: c.family,
            virtualRouterId: c.virtualRouterId,
            priority,
            intervalCentiseconds: c.advertisementIntervalMs / 10,
            addresses: c.virtualAddresses.map((vip) => vip.address),
          },
          { source: this.primary, destination },
        );
        channel.send(message, destination);
        this.counters.advertisementsSent++;
      } catch (error) {
        this.counters.sendErrors++;
        this.logLimited(`send ${destination}`, 'warn', 'vrrp-send-failed', {
          destination,
          error: errorMessage(error),
        });
        void this.checkLink(); // a down interface shows here first
      }
    }
  }

  /** A burst now (after the addresses are in), then another after `repeatAfter`. */
  private announce(): void {
    const { count, repeatAfterMs, repeatCount } = this.config.announce;
    this.queue('announce', () => {
      this.announceBurst(count);
    });
    this.cancelRepeat();
    if (repeatCount === 0) return;
    this.repeatTimer = setTimeout(() => {
      this.repeatTimer = undefined;
      if (this.running && this.state === 'master')
        this.queue('announce again', () => {
          this.announceBurst(repeatCount);
        });
    }, repeatAfterMs);
  }

  private announceBurst(count: number): void {
    const announcer = this.announcer;
    if (!announcer) return;
    for (const vip of this.config.virtualAddresses) {
      for (let i = 0; i < count; i++) {
        try {
          announcer.announce(vip.address);
          this.counters.announcements++;
        } catch (error) {
          this.logLimited(`announce ${vip.address}`, 'warn', 'vrrp-announce-failed', {
            address: vip.address,
            error: errorMessage(error),
          });
          break;
        }
      }
    }
  }

  private cancelRepeat(): void {
    if (this.repeatTimer !== undefined) clearTimeout(this.repeatTimer);
    this.repeatTimer = undefined;
  }

  private transition(from: VrrpState, to: VrrpState, reason: TransitionReason): void {
    if (to === 'initialize') return; // the shutdown: stop() logs it, after the addresses are gone
    const cause = to === 'fault' ? (this.faults.values().next().value ?? reason) : reason;
    const event: VrrpStateEvent = {
      instance: this.config.name,
      state: to,
      from,
      reason: cause,
      priority: this.priority,
    };
    this.log(to === 'fault' ? 'warn' : 'info', 'vrrp-state', { ...event });
    this.emit('state', event);
    void this.notify(to, { state: to, from, reason: cause });
  }

  private async notify(
    state: NotifyState,
    context: { state: string; from: string; reason: string },
  ): Promise<void> {
    const argv = this.config.notify[state];
    if (!argv) return;
    const run = this.options.runCommand ?? runCommand;
    try {
      await run(argv, notifyEnvironment({ instance: this.config.name, ...context }));
    } catch (error) {
      this.log('error', 'vrrp-notify-failed', { state, command: argv, error: errorMessage(error) });
    }
  }

  private queue(what: string, task: () => Promise<void> | void): void {
    this.work = this.work.then(task).catch((error: unknown) => {
      this.log('error', 'vrrp-action-failed', { action: what, error: errorMessage(error) });
    });
  }

  private logLimited(key: string, level: LogLevel, event: string, fields: object): void {
    const { log, suppressed } = this.limit.take(key);
    if (log)
      this.log(level, event, {
        instance: this.config.name,
        ...fields,
        ...(suppressed > 0 ? { suppressed } : {}),
      });
  }

  private log(level: LogLevel, event: string, fields: object): void {
    this.options.log({ time: new Date().toISOString(), level, event, ...fields });
  }
}
