// Runs a VrrpStateMachine on real timers: the machine's set-timer and cancel-timer actions become
// setTimeout and clearTimeout, an expiry goes back into the machine, and every other action goes
// to `perform` in order. One timer of each kind at most, as the RFC has one of each. The RFC's
// intervals have fractions of a millisecond (skew is 1/256 of a second or of the interval); they
// are rounded up, so that a backup never takes over before its master-down interval is over.
import type {
  ReceivedAdvertisement,
  VrrpAction,
  VrrpStateMachine,
  VrrpTimer,
} from './state-machine.js';

export type PerformAction = (
  action: Exclude<VrrpAction, { type: 'set-timer' | 'cancel-timer' }>,
) => void;

export class VrrpDriver {
  private readonly timers = new Map<VrrpTimer, NodeJS.Timeout>();

  constructor(
    readonly machine: VrrpStateMachine,
    private readonly perform: PerformAction,
  ) {}

  start(): void {
    this.run(this.machine.start());
  }

  received(advert: ReceivedAdvertisement): void {
    this.run(this.machine.received(advert));
  }

  setPriority(priority: number): void {
    this.run(this.machine.setPriority(priority));
  }

  fault(): void {
    this.run(this.machine.fault());
  }

  clearFault(): void {
    this.run(this.machine.clearFault());
  }

  /** Shuts the machine down and clears any timer left, so that nothing keeps the process alive. */
  shutdown(): void {
    this.run(this.machine.shutdown());
    for (const handle of this.timers.values()) clearTimeout(handle);
    this.timers.clear();
  }

  private run(actions: readonly VrrpAction[]): void {
    for (const action of actions) {
      if (action.type === 'set-timer') this.set(action.timer, action.ms);
      else if (action.type === 'cancel-timer') this.cancel(action.timer);
      else this.perform(action);
    }
  }

  private set(timer: VrrpTimer, ms: number): void {
    this.cancel(timer);
    const handle = setTimeout(() => {
      this.timers.delete(timer);
      this.run(this.machine.timerFired(timer));
    }, Math.ceil(ms));
    this.timers.set(timer, handle);
  }

  private cancel(timer: VrrpTimer): void {
    const handle = this.timers.get(timer);
    if (handle !== undefined) clearTimeout(handle);
    this.timers.delete(timer);
  }
}
