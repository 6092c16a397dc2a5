// The VRRP election of RFC 5798 section 6.4, transition by transition and timer by timer, then
// two routers on a simulated link under fake timers: election, takeover after the master-down
// interval, after one skew time on a clean stop, and preemption on and off.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VrrpDriver } from '../../lib/vrrp/driver.js';
import {
  masterDownIntervalMs,
  skewTimeMs,
  VrrpStateMachine,
  type VrrpAction,
  type VrrpMachineOptions,
} from '../../lib/vrrp/state-machine.js';

const base: VrrpMachineOptions = {
  version: 3,
  family: 'ipv4',
  priority: 100,
  intervalCentiseconds: 100,
  primaryAddress: '192.168.8.10',
};

function machine(options: Partial<VrrpMachineOptions> = {}): VrrpStateMachine {
  return new VrrpStateMachine({ ...base, ...options });
}

function backup(options: Partial<VrrpMachineOptions> = {}): VrrpStateMachine {
  const m = machine(options);
  m.start();
  return m;
}

function master(options: Partial<VrrpMachineOptions> = {}): VrrpStateMachine {
  const m = backup(options);
  m.timerFired('master-down');
  return m;
}

const from = (priority: number, source = '192.168.8.11', intervalCentiseconds = 100) => ({
  priority,
  source,
  intervalCentiseconds,
});

describe('timers (RFC 5798 section 6.1; RFC 3768 section 6.1 for version 2)', () => {
  it('Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256 for version 3', () => {
    // keepalived's VRRP_TIMER_SKEW in microseconds: (256 - p) * centiseconds * 625 / 16.
    expect(skewTimeMs(3, 100, 100)).toBe((156 * 100 * 625) / 16 / 1000);
    expect(skewTimeMs(3, 100, 100)).toBe(609.375);
    expect(skewTimeMs(3, 254, 50)).toBe((2 * 500) / 256);
  });

  it('Skew_Time = (256 - Priority) / 256 seconds for version 2, whatever the interval', () => {
    expect(skewTimeMs(2, 150, 100)).toBe(414.0625);
    expect(skewTimeMs(2, 150, 500)).toBe(414.0625);
  });

  it('Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time', () => {
    expect(masterDownIntervalMs(3, 100, 100)).toBe(3609.375);
    expect(masterDownIntervalMs(3, 200, 25)).toBe(750 + (56 * 250) / 256);
    expect(masterDownIntervalMs(2, 150, 300)).toBe(9414.0625);
  });
});

describe('Initialize (section 6.4.1)', () => {
  it('a router that does not own the addresses starts as backup, its master-down timer set', () => {
    const m = machine();
    expect(m.start()).toEqual<VrrpAction[]>([
      { type: 'remove-addresses' },
      { type: 'sync-daemon', role: 'backup' },
      { type: 'set-timer', timer: 'master-down', ms: 3609.375 },
      { type: 'state', from: 'initialize', to: 'backup', reason: 'startup' },
    ]);
    expect(m.state).toBe('backup');
    expect(m.start()).toEqual([]); // a second Startup event changes nothing
  });

  it('the address owner (priority 255) becomes master at once and announces', () => {
    const m = machine({ priority: 255 });
    expect(m.start()).toEqual<VrrpAction[]>([
      { type: 'send-advertisement', priority: 255 },
      { type: 'add-addresses' },
      { type: 'announce' },
      { type: 'sync-daemon', role: 'master' },
      { type: 'set-timer', timer: 'advertisement', ms: 1000 },
      { type: 'state', from: 'initialize', to: 'master', reason: 'address-owner' },
    ]);
  });

  it('ignores advertisements and timers before Startup', () => {
    const m = machine();
    expect(m.received(from(200))).toEqual([]);
    expect(m.timerFired('master-down')).toEqual([]);
    expect(m.shutdown()).toEqual([]);
    expect(m.state).toBe('initialize');
  });
});

describe('Backup (section 6.4.2)', () => {
  it('becomes master when the master-down timer fires', () => {
    const m = backup();
    expect(m.timerFired('master-down')).toEqual<VrrpAction[]>([
      { type: 'cancel-timer', timer: 'master-down' },
      { type: 'send-advertisement', priority: 100 },
      { type: 'add-addresses' },
      { type: 'announce' },
      { type: 'sync-daemon', role: 'master' },
      { type: 'set-timer', timer: 'advertisement', ms: 1000 },
      { type: 'state', from: 'backup', to: 'master', reason: 'master-down' },
    ]);
  });

  it('on priority 0 sets the master-down timer to Skew_Time', () => {
    expect(backup().received(from(0))).toEqual([
      { type: 'set-timer', timer: 'master-down', ms: 609.375 },
    ]);
  });

  it('adopts a higher-priority master and its interval (version 3), resetting the timer', () => {
    const m = backup();
    expect(m.received(from(200, '192.168.8.11', 50))).toEqual([
      { type: 'set-timer', timer: 'master-down', ms: masterDownIntervalMs(3, 100, 50) },
    ]);
    expect(m.masterIntervalCentiseconds).toBe(50);
    expect(m.state).toBe('backup');
  });

  it('accepts an equal priority whatever the address (the >= of section 6.4.2)', () => {
    expect(backup().received(from(100, '10.0.0.1'))).toHaveLength(1);
  });

  it('keeps its own interval in version 2 (no Master_Adver_Interval there)', () => {
    const m = backup({ version: 2 });
    expect(m.received(from(200, '192.168.8.11', 300))).toEqual([
      { type: 'set-timer', timer: 'master-down', ms: masterDownIntervalMs(2, 100, 100) },
    ]);
  });

  it('with preemption discards a lower-priority master, so that its timer runs out', () => {
    expect(backup().received(from(50))).toEqual([]);
  });

  it('without preemption accepts a lower-priority master', () => {
    expect(backup({ preempt: false }).received(from(50))).toEqual([
      { type: 'set-timer', timer: 'master-down', ms: 3609.375 },
    ]);
  });

  it('with a preemption delay accepts a lower-priority master until the delay has passed', () => {
    let now = 1000;
    const m = backup({ preemptDelayMs: 30_000, now: () => now });
    expect(m.received(from(50))).toHaveLength(1); // the delay starts
    now += 29_999;
    expect(m.received(from(50))).toHaveLength(1);
    now += 1;
    expect(m.received(from(50))).toEqual([]); // now it preempts
  });

  it('restarts the preemption delay after hearing a master it does not outrank', () => {
    let now = 0;
    const m = backup({ priority: 150, preemptDelayMs: 10_000, now: () => now });
    m.received(from(100));
    now = 9_000;
    m.received(from(200)); // a higher master: no preemption pending any more
    now = 12_000;
    expect(m.received(from(100))).toHaveLength(1); // a new delay starts here
    now = 21_999;
    expect(m.received(from(100))).toHaveLength(1);
    now = 22_000;
    expect(m.received(from(100))).toEqual([]);
  });

  it('on Shutdown cancels its timer and stops the backup sync daemon', () => {
    const m = backup();
    expect(m.shutdown()).toEqual<VrrpAction[]>([
      { type: 'cancel-timer', timer: 'master-down' },
      { type: 'sync-daemon', role: 'none' },
      { type: 'state', from: 'backup', to: 'initialize', reason: 'shutdown' },
    ]);
  });

  it('ignores an advertisement timer that fired as it was being cancelled', () => {
    expect(backup().timerFired('advertisement')).toEqual([]);
  });
});

describe('Master (section 6.4.3)', () => {
  it('advertises each time its timer fires', () => {
    expect(master().timerFired('advertisement')).toEqual([
      { type: 'send-advertisement', priority: 100 },
      { type: 'set-timer', timer: 'advertisement', ms: 1000 },
    ]);
    expect(master().timerFired('master-down')).toEqual([]);
  });

  it('answers priority 0 with an advertisement at once', () => {
    expect(master().received(from(0))).toEqual([
      { type: 'send-advertisement', priority: 100 },
      { type: 'set-timer', timer: 'advertisement', ms: 1000 },
    ]);
  });

  it('steps down for a higher priority, taking its interval (version 3)', () => {
    const m = master();
    expect(m.received(from(101, '192.168.8.11', 200))).toEqual<VrrpAction[]>([
      { type: 'cancel-timer', timer: 'advertisement' },
      { type: 'remove-addresses' },
      { type: 'sync-daemon', role: 'backup' },
      { type: 'set-timer', timer: 'master-down', ms: masterDownIntervalMs(3, 100, 200) },
      { type: 'state', from: 'master', to: 'backup', reason: 'higher-priority' },
    ]);
  });

  it('on equal priority steps down only for a higher primary address (IPv4 and IPv6)', () => {
    expect(master().received(from(100, '192.168.8.9'))).toContainEqual({ type: 'announce' });
    expect(master().received(from(100, '192.168.8.11')).at(-1)).toMatchObject({
      to: 'backup',
    });
    // Compared as numbers in network order, not as text: 192.168.8.100 > 192.168.8.11.
    const high = master({ primaryAddress: '192.168.8.100' });
    expect(high.received(from(100, '192.168.8.11'))).toContainEqual({ type: 'announce' });
    const six = { family: 'ipv6' as const, primaryAddress: 'fe80::a' };
    expect(master(six).received(from(100, 'fe80::9'))).toContainEqual({ type: 'announce' });
    expect(master(six).received(from(100, 'fe80::1:0')).at(-1)).toMatchObject({ to: 'backup' });
  });

  it('re-announces when it hears a lower-priority master (split brain), unless told not to', () => {
    expect(master().received(from(50))).toEqual([
      { type: 'send-advertisement', priority: 100 },
      { type: 'set-timer', timer: 'advertisement', ms: 1000 },
      { type: 'announce' },
    ]);
    expect(master({ reannounceOnLowerPriority: false }).received(from(50))).toEqual([]);
  });

  it('on Shutdown advertises priority 0 and gives the addresses up', () => {
    const m = master();
    expect(m.shutdown()).toEqual<VrrpAction[]>([
      { type: 'cancel-timer', timer: 'advertisement' },
      { type: 'send-advertisement', priority: 0 },
      { type: 'remove-addresses' },
      { type: 'sync-daemon', role: 'none' },
      { type: 'state', from: 'master', to: 'initialize', reason: 'shutdown' },
    ]);
    expect(m.state).toBe('initialize');
  });

  it('advertises and elects with a priority changed by tracking', () => {
    const m = master();
    m.setPriority(40);
    expect(m.timerFired('advertisement')[0]).toEqual({ type: 'send-advertisement', priority: 40 });
    expect(m.received(from(50)).at(-1)).toMatchObject({ to: 'backup' });
    expect(() => m.setPriority(255)).toThrow(/1-254/);
    expect(() => m.setPriority(0)).toThrow(/1-254/);
  });
});

/** Routers on one simulated link: what one sends, the others receive, while its link is up. */
class Link {
  readonly log: string[] = [];
  private readonly routers: { name: string; driver: VrrpDriver; address: string; up: boolean }[] =
    [];

  add(name: string, options: Partial<VrrpMachineOptions>): VrrpDriver {
    const address = options.primaryAddress ?? base.primaryAddress;
    const m = new VrrpStateMachine({ ...base, ...options, now: () => Date.now() });
    const driver = new VrrpDriver(m, (action) => {
      if (action.type === 'state') this.log.push(`${Date.now()} ${name} ${action.to}`);
      if (action.type !== 'send-advertisement') return;
      const self = this.routers.find((r) => r.name === name);
      if (!self?.up) return;
      for (const other of this.routers)
        if (other !== self && other.up)
          other.driver.received({
            priority: action.priority,
            source: address,
            intervalCentiseconds: m.masterIntervalCentiseconds,
          });
    });
    this.routers.push({ name, driver, address, up: true });
    return driver;
  }

  /** SIGKILL, as far as the link can tell: nothing more is sent or heard. */
  cut(name: string): void {
    const router = this.routers.find((r) => r.name === name);
    if (router) router.up = false;
  }
}

describe('Fault (keepalived: interface down, tracked service lost)', () => {
  it('a master hands over with priority 0, removes its addresses and stops its sync daemon', () => {
    const m = master();
    expect(m.fault()).toEqual<VrrpAction[]>([
      { type: 'cancel-timer', timer: 'advertisement' },
      { type: 'send-advertisement', priority: 0 },
      { type: 'remove-addresses' },
      { type: 'sync-daemon', role: 'none' },
      { type: 'state', from: 'master', to: 'fault', reason: 'fault' },
    ]);
    expect(m.state).toBe('fault');
    expect(m.fault()).toEqual([]);
  });

  it('a backup stops its master-down timer and answers nothing while in fault', () => {
    const m = backup();
    expect(m.fault()).toEqual<VrrpAction[]>([
      { type: 'cancel-timer', timer: 'master-down' },
      { type: 'sync-daemon', role: 'none' },
      { type: 'state', from: 'backup', to: 'fault', reason: 'fault' },
    ]);
    expect(m.received(from(0))).toEqual([]);
    expect(m.received(from(50))).toEqual([]);
    expect(m.timerFired('master-down')).toEqual([]);
    expect(m.timerFired('advertisement')).toEqual([]);
  });

  it('a cleared fault goes back to backup as at startup (master for the owner)', () => {
    const m = backup();
    m.fault();
    expect(m.clearFault()).toEqual<VrrpAction[]>([
      { type: 'remove-addresses' },
      { type: 'sync-daemon', role: 'backup' },
      { type: 'set-timer', timer: 'master-down', ms: 3609.375 },
      { type: 'state', from: 'fault', to: 'backup', reason: 'fault-cleared' },
    ]);
    expect(m.clearFault()).toEqual([]);
    const owner = machine({ priority: 255 });
    owner.start();
    owner.fault();
    expect(owner.clearFault().at(-1)).toEqual({
      type: 'state',
      from: 'fault',
      to: 'master',
      reason: 'fault-cleared',
    });
  });

  it('a fault before startup is left by clearFault, and shutdown from fault sends nothing', () => {
    const m = machine();
    expect(m.fault()).toEqual([
      { type: 'state', from: 'initialize', to: 'fault', reason: 'fault' },
    ]);
    expect(m.shutdown()).toEqual([
      { type: 'state', from: 'fault', to: 'initialize', reason: 'shutdown' },
    ]);
    expect(m.clearFault()).toEqual([]);
  });
});

describe('two routers under fake timers', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('elect the higher priority within its master-down interval; the other stays backup', () => {
    const link = new Link();
    const a = link.add('a', { version: 2, priority: 150, primaryAddress: '192.168.8.10' });
    const b = link.add('b', { version: 2, priority: 100, primaryAddress: '192.168.8.11' });
    a.start();
    b.start();
    // v2, priority 150: 3 s + 106/256 s = 3414.0625 ms, rounded up to the millisecond.
    vi.advanceTimersByTime(3414);
    expect(a.machine.state).toBe('backup');
    vi.advanceTimersByTime(1);
    expect(a.machine.state).toBe('master');
    vi.advanceTimersByTime(60_000);
    expect([a.machine.state, b.machine.state]).toEqual(['master', 'backup']);
    expect(link.log).toEqual(['0 a backup', '0 b backup', '3415 a master']);
    a.shutdown();
    b.shutdown();
  });

  it('a killed master is replaced after the master-down interval since its last advertisement', () => {
    const link = new Link();
    const a = link.add('a', { priority: 150, primaryAddress: '192.168.8.10' });
    const b = link.add('b', { priority: 100, primaryAddress: '192.168.8.11' });
    a.start();
    b.start();
    vi.advanceTimersByTime(10_000);
    // a became master at 3415 ms and has advertised every second since, last at 9415; b waits
    // 3609.375 ms (3 s + 156/256 s), rounded up, from there.
    link.cut('a');
    vi.advanceTimersByTime(9415 + 3609 - 10_000);
    expect(b.machine.state).toBe('backup');
    vi.advanceTimersByTime(1);
    expect(b.machine.state).toBe('master');
    a.shutdown();
    b.shutdown();
  });

  it('a cleanly stopped master is replaced after one skew time (priority 0)', () => {
    const link = new Link();
    const a = link.add('a', { priority: 150, primaryAddress: '192.168.8.10' });
    const b = link.add('b', { priority: 100, primaryAddress: '192.168.8.11' });
    a.start();
    b.start();
    vi.advanceTimersByTime(10_000);
    a.shutdown();
    vi.advanceTimersByTime(609); // (256 - 100) / 256 of a second: 609.375 ms, rounded up
    expect(b.machine.state).toBe('backup');
    vi.advanceTimersByTime(1);
    expect(b.machine.state).toBe('master');
    b.shutdown();
  });

  it.each([
    [true, 'master', 'backup'],
    [false, 'backup', 'master'],
  ])('a returning higher priority with preempt %s ends %s, the other %s', (preempt, a, b) => {
    const link = new Link();
    const low = link.add('low', { priority: 100, primaryAddress: '192.168.8.11' });
    low.start();
    vi.advanceTimersByTime(5_000);
    expect(low.machine.state).toBe('master');
    const high = link.add('high', { priority: 150, primaryAddress: '192.168.8.10', preempt });
    high.start();
    vi.advanceTimersByTime(30_000);
    expect([high.machine.state, low.machine.state]).toEqual([a, b]);
    high.shutdown();
    low.shutdown();
  });

  it('a preemption delay holds the returning router back for that long', () => {
    const link = new Link();
    const low = link.add('low', { priority: 100, primaryAddress: '192.168.8.11' });
    low.start();
    vi.advanceTimersByTime(5_000);
    const high = link.add('high', {
      priority: 150,
      primaryAddress: '192.168.8.10',
      preemptDelayMs: 20_000,
    });
    high.start();
    vi.advanceTimersByTime(20_000);
    expect(high.machine.state).toBe('backup');
    // The delay started at the first advertisement heard (5.6 s); the adverts after it are
    // discarded, and the master-down interval (3 s + 106/256 s) later it takes over.
    vi.advanceTimersByTime(5_000);
    expect(high.machine.state).toBe('master');
    expect(low.machine.state).toBe('backup');
    high.shutdown();
    low.shutdown();
  });
  it('a faulted master is replaced after one skew time and takes over again once it clears', () => {
    const link = new Link();
    const a = link.add('a', { priority: 150, primaryAddress: '192.168.8.10' });
    const b = link.add('b', { priority: 100, primaryAddress: '192.168.8.11' });
    a.start();
    b.start();
    vi.advanceTimersByTime(10_000);
    a.fault();
    vi.advanceTimersByTime(610);
    expect([a.machine.state, b.machine.state]).toEqual(['fault', 'master']);
    vi.advanceTimersByTime(30_000);
    expect([a.machine.state, b.machine.state]).toEqual(['fault', 'master']);
    a.clearFault();
    // Back as a backup that hears a lower priority: it preempts after its master-down interval.
    vi.advanceTimersByTime(3415);
    expect([a.machine.state, b.machine.state]).toEqual(['master', 'backup']);
    a.shutdown();
    b.shutdown();
  });
});
