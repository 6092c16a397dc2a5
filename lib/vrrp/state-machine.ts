// One VRRP instance's election, exactly as RFC 5798 section 6.4 writes it (Initialize, Backup,
// Master), with keepalived's additions that the issue asks for: a preemption delay and a master
// that re-announces when it hears a lower-priority master (split brain). Pure logic: the inputs
// are validated advertisements, timer expiries and commands; the outputs are actions for the
// caller to carry out (packets, addresses, timers, the sync daemon). No sockets, no clock of its
// own beyond `now`, which the caller injects. A fault state (keepalived's) takes the router out of
// the election while its interface is down or a tracked service has lost its quorum.
import { addressBytes, type IpFamily } from './address.js';
import type { VrrpVersion } from './packet.js';

export type VrrpState = 'initialize' | 'backup' | 'master' | 'fault';
export type VrrpTimer = 'advertisement' | 'master-down';

/** What the caller must do, in order. */
export type VrrpAction =
  | { type: 'send-advertisement'; priority: number }
  | { type: 'add-addresses' }
  | { type: 'remove-addresses' }
  /** Gratuitous ARP (IPv4) or unsolicited neighbour advertisements (IPv6) for every address. */
  | { type: 'announce' }
  /** The kernel's connection sync for this role; 'none' stops it. */
  | { type: 'sync-daemon'; role: 'master' | 'backup' | 'none' }
  | { type: 'set-timer'; timer: VrrpTimer; ms: number }
  | { type: 'cancel-timer'; timer: VrrpTimer }
  | { type: 'state'; from: VrrpState; to: VrrpState; reason: TransitionReason };

export type TransitionReason =
  | 'startup'
  | 'address-owner'
  | 'master-down'
  | 'higher-priority'
  | 'shutdown'
  | 'fault'
  | 'fault-cleared';

/** A received advertisement, already decoded and checked against this instance. */
export interface ReceivedAdvertisement {
  priority: number;
  /** Its (Max) Advertisement Interval, in centiseconds. */
  intervalCentiseconds: number;
  /** The sender's primary address: the IP source of the packet. */
  source: string;
}

export interface VrrpMachineOptions {
  version: VrrpVersion;
  family: IpFamily;
  /** 1-255; 255 only for the address owner. */
  priority: number;
  /** Advertisement_Interval, in centiseconds (whole seconds for version 2). */
  intervalCentiseconds: number;
  /** This router's primary address on the interface: the tie-break on equal priority. */
  primaryAddress: string;
  /** Preempt_Mode (RFC 5798 section 6.1); true by default, as in the RFC. */
  preempt?: boolean;
  /**
   * keepalived's preempt_delay, in milliseconds: a backup that hears a lower-priority master
   * keeps accepting it this long before it lets its master-down timer run out, so that a
   * returning director has received the connection table before it takes the addresses back.
   */
  preemptDelayMs?: number;
  /**
   * A master that hears a lower-priority master (split brain, or a peer that came back without
   * hearing us) advertises at once and announces its addresses again, so that the hosts and
   * switches that followed the other's ARPs come back. keepalived's behaviour; on by default.
   */
  reannounceOnLowerPriority?: boolean;
  /** The clock, in milliseconds; only the preemption delay reads it. */
  now?: () => number;
}

/** Skew_Time in milliseconds (RFC 5798 section 6.1; RFC 3768's is in whole seconds' 256ths). */
export function skewTimeMs(
  version: VrrpVersion,
  priority: number,
  masterIntervalCentiseconds: number,
): number {
  if (version === 2) return ((256 - priority) * 1000) / 256;
  return ((256 - priority) * masterIntervalCentiseconds * 10) / 256;
}

/** Master_Down_Interval in milliseconds: 3 x Master_Adver_Interval + Skew_Time. */
export function masterDownIntervalMs(
  version: VrrpVersion,
  priority: number,
  masterIntervalCentiseconds: number,
): number {
  return (
    3 * masterIntervalCentiseconds * 10 + skewTimeMs(version, priority, masterIntervalCentiseconds)
  );
}

/** -1, 0 or 1 as `a` is below, equal to or above `b`, as unsigned integers in network order. */
function compareAddresses(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

export class VrrpStateMachine {
  private current: VrrpState = 'initialize';
  private priorityValue: number;
  /** Master_Adver_Interval: the master's interval as last heard, in centiseconds. */
  private masterInterval: number;
  /** When a backup starts preempting a lower-priority master; undefined while not counting. */
  private preemptAt: number | undefined;
  private readonly primary: Uint8Array;
  private readonly options: Required<VrrpMachineOptions>;

  constructor(options: VrrpMachineOptions) {
    this.options = {
      preempt: true,
      preemptDelayMs: 0,
      reannounceOnLowerPriority: true,
      now: () => performance.now(),
      ...options,
    };
    this.priorityValue = options.priority;
    this.masterInterval = options.intervalCentiseconds;
    this.primary = addressBytes(options.primaryAddress, options.family, 'primaryAddress');
  }

  get state(): VrrpState {
    return this.current;
  }

  /** The priority this router advertises (and elects with) now. */
  get priority(): number {
    return this.priorityValue;
  }

  /** Master_Adver_Interval, in centiseconds. */
  get masterIntervalCentiseconds(): number {
    return this.masterInterval;
  }

  /** The Startup event (RFC 5798 section 6.4.1). */
  start(): VrrpAction[] {
    if (this.current !== 'initialize') return [];
    if (this.priorityValue === 255) return this.becomeMaster('address-owner');
    this.masterInterval = this.options.intervalCentiseconds;
    return this.becomeBackup('startup', [{ type: 'remove-addresses' }]);
  }

  /**
   * Leaves the election (keepalived's FAULT): a master hands over at once with priority 0, as on
   * shutdown, and removes its addresses; a backup stops its timer. Nothing is sent or answered
   * until clearFault().
   */
  fault(): VrrpAction[] {
    if (this.current === 'fault') return [];
    return this.transition('fault', 'fault', this.leave());
  }

  /** The fault is over: back through Initialize, as at startup (Backup, or Master for 255). */
  clearFault(): VrrpAction[] {
    if (this.current !== 'fault') return [];
    this.current = 'initialize';
    const actions = this.start();
    // One transition, fault to backup (or master), rather than two with Initialize between.
    return actions.map((action) =>
      action.type === 'state' ? { ...action, from: 'fault', reason: 'fault-cleared' } : action,
    );
  }

  /** The Shutdown event: a master hands over at once by advertising priority 0. */
  shutdown(): VrrpAction[] {
    if (this.current === 'initialize') return [];
    return this.transition('initialize', 'shutdown', this.leave());
  }

  /** What leaving Master or Backup takes (RFC 5798 section 6.4.3's shutdown for a master). */
  private leave(): VrrpAction[] {
    if (this.current === 'master')
      return [
        { type: 'cancel-timer', timer: 'advertisement' },
        { type: 'send-advertisement', priority: 0 },
        { type: 'remove-addresses' },
        { type: 'sync-daemon', role: 'none' },
      ];
    if (this.current === 'backup')
      return [
        { type: 'cancel-timer', timer: 'master-down' },
        { type: 'sync-daemon', role: 'none' },
      ];
    return [];
  }

  /**
   * A new priority (tracked services lowered or restored it). It takes effect in the next
   * advertisement and election; the address owner's 255 is not the caller's to change.
   */
  setPriority(priority: number): VrrpAction[] {
    if (!Number.isInteger(priority) || priority < 1 || priority > 254)
      throw new RangeError(`priority must be an integer 1-254, got ${priority}`);
    this.priorityValue = priority;
    return [];
  }

  timerFired(timer: VrrpTimer): VrrpAction[] {
    if (timer === 'master-down' && this.current === 'backup')
      return this.becomeMaster('master-down');
    if (timer === 'advertisement' && this.current === 'master')
      return [
        { type: 'send-advertisement', priority: this.priorityValue },
        this.advertisementTimer(),
      ];
    return []; // a timer that fired as it was being cancelled
  }

  received(advert: ReceivedAdvertisement): VrrpAction[] {
    if (this.current === 'backup') return this.backupReceived(advert);
    if (this.current === 'master') return this.masterReceived(advert);
    return [];
  }

  /** RFC 5798 section 6.4.2, with keepalived's preemption delay. */
  private backupReceived(advert: ReceivedAdvertisement): VrrpAction[] {
    if (advert.priority === 0)
      return [
        {
          type: 'set-timer',
          timer: 'master-down',
          ms: skewTimeMs(this.options.version, this.priorityValue, this.masterInterval),
        },
      ];
    const { preempt, preemptDelayMs, now } = this.options;
    let accept = !preempt || advert.priority >= this.priorityValue;
    if (advert.priority >= this.priorityValue) this.preemptAt = undefined;
    else if (preempt && preemptDelayMs > 0) {
      this.preemptAt ??= now() + preemptDelayMs;
      accept = now() < this.preemptAt;
    }
    if (!accept) return []; // discarded: the master-down timer runs out and this router preempts
    // Version 2 has no Master_Adver_Interval: its receiver refuses a different interval.
    if (this.options.version === 3) this.masterInterval = advert.intervalCentiseconds;
    return [this.masterDownTimer()];
  }

  /** RFC 5798 section 6.4.3, with keepalived's answer to a lower-priority master. */
  private masterReceived(advert: ReceivedAdvertisement): VrrpAction[] {
    if (advert.priority === 0)
      return [
        { type: 'send-advertisement', priority: this.priorityValue },
        this.advertisementTimer(),
      ];
    if (this.outranks(advert)) {
      if (this.options.version === 3) this.masterInterval = advert.intervalCentiseconds;
      return this.becomeBackup('higher-priority', [
        { type: 'cancel-timer', timer: 'advertisement' },
        { type: 'remove-addresses' },
      ]);
    }
    if (!this.options.reannounceOnLowerPriority) return [];
    return [
      { type: 'send-advertisement', priority: this.priorityValue },
      this.advertisementTimer(),
      { type: 'announce' },
    ];
  }

  /** Whether the sender wins: higher priority, or equal priority and a higher primary address. */
  private outranks(advert: ReceivedAdvertisement): boolean {
    if (advert.priority !== this.priorityValue) return advert.priority > this.priorityValue;
    const theirs = addressBytes(advert.source, this.options.family, 'source');
    return compareAddresses(theirs, this.primary) > 0;
  }

  private becomeMaster(reason: TransitionReason): VrrpAction[] {
    const actions: VrrpAction[] = [];
    if (this.current === 'backup') actions.push({ type: 'cancel-timer', timer: 'master-down' });
    actions.push(
      { type: 'send-advertisement', priority: this.priorityValue },
      { type: 'add-addresses' },
      { type: 'announce' },
      { type: 'sync-daemon', role: 'master' },
      this.advertisementTimer(),
    );
    return this.transition('master', reason, actions);
  }

  /** Entering Backup also removes the addresses: a restart after a crash may have left them. */
  private becomeBackup(reason: TransitionReason, first: VrrpAction[]): VrrpAction[] {
    this.preemptAt = undefined;
    return this.transition('backup', reason, [
      ...first,
      { type: 'sync-daemon', role: 'backup' },
      this.masterDownTimer(),
    ]);
  }

  private transition(to: VrrpState, reason: TransitionReason, actions: VrrpAction[]): VrrpAction[] {
    const from = this.current;
    this.current = to;
    return [...actions, { type: 'state', from, to, reason }];
  }

  private advertisementTimer(): VrrpAction {
    return {
      type: 'set-timer',
      timer: 'advertisement',
      ms: this.options.intervalCentiseconds * 10,
    };
  }

  private masterDownTimer(): VrrpAction {
    return {
      type: 'set-timer',
      timer: 'master-down',
      ms: masterDownIntervalMs(this.options.version, this.priorityValue, this.masterInterval),
    };
  }
}
