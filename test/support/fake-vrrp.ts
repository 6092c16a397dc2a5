// A simulated link for VRRP instances: channels that deliver each other's messages (multicast to
// all others, unicast to the one whose address it is), announcers that record, hosts whose
// addresses and link flags change as rtnetlink would change them, and sync daemons that record.
// Timers are the caller's (vitest fake timers), so elections run in simulated time.
import { constants as osConstants } from 'node:os';
import type { IpFamily } from '../../lib/vrrp/address.js';
import type { Announcer, VrrpChannel, VrrpNetwork } from '../../lib/vrrp/ports.js';
import type { VrrpDatagram } from '../../lib/vrrp/receive.js';
import type { VrrpHost } from '../../lib/vrrp/host.js';
import type { SyncDaemons } from '../../lib/vrrp/sync-daemon.js';
import type {
  NativeAddress,
  NativeLink,
  NativeNetReply,
  NativeNetRequest,
} from '../../lib/kernel/native.js';
import type { DaemonSpec, DaemonState } from '../../lib/model/types.js';
import type { LogRecord } from '../../lib/health/log.js';

const UP_RUNNING = 0x1 | 0x40;

export interface Sent {
  from: string;
  destination: string;
  message: Uint8Array;
}

export class FakeChannel implements VrrpChannel {
  readonly ifindex = 2;
  private readonly queue: VrrpDatagram[] = [];
  private waiting: ((datagram: VrrpDatagram | null) => void) | undefined;
  closed = false;
  /** Throws this from send() while set. */
  sendError: Error | undefined;

  constructor(
    readonly link: FakeLink,
    readonly family: IpFamily,
    readonly address: string,
  ) {}

  deliver(datagram: VrrpDatagram): void {
    if (this.closed) return;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting(datagram);
    else this.queue.push(datagram);
  }

  receive(timeoutMs: number): Promise<VrrpDatagram | null> {
    const next = this.queue.shift();
    if (next) return Promise.resolve(next);
    if (this.closed) return Promise.reject(new Error('closed'));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        resolve(null);
      }, timeoutMs);
      this.waiting = (datagram) => {
        clearTimeout(timer);
        resolve(datagram);
      };
    });
  }

  send(message: Uint8Array, destination: string): void {
    if (this.closed) throw new Error('send on a closed channel');
    if (this.sendError) throw this.sendError;
    this.link.carry({ from: this.address, destination, message: Uint8Array.from(message) });
  }

  close(): void {
    this.closed = true;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(null);
  }
}

export class FakeAnnouncer implements Announcer {
  readonly announced: { address: string; at: number }[] = [];
  closed = false;
  announce(address: string): void {
    this.announced.push({ address, at: Date.now() });
  }
  close(): void {
    this.closed = true;
  }
}

/** One broadcast domain; `sent` records every message with its sender. */
export class FakeLink {
  readonly channels: FakeChannel[] = [];
  readonly sent: Sent[] = [];
  /** Routers cut off (SIGKILL, or a cable pulled): they neither send nor hear. */
  readonly cut = new Set<string>();

  carry(sent: Sent): void {
    if (this.cut.has(sent.from)) return;
    this.sent.push(sent);
    for (const channel of this.channels) {
      if (channel.address === sent.from || this.cut.has(channel.address)) continue;
      const multicast = sent.destination === '224.0.0.18' || sent.destination === 'ff02::12';
      if (!multicast && sent.destination !== channel.address) continue;
      channel.deliver({
        payload: sent.message,
        source: sent.from,
        destination: sent.destination,
        ttl: 255,
      });
    }
  }
}

/** One router's namespace: eth0 (index 2) with its own address, as rtnetlink shows it. */
export class FakeHost implements VrrpHost, VrrpNetwork {
  readonly path: string;
  readonly addressList: NativeAddress[];
  readonly requests: NativeNetRequest[] = [];
  flags = UP_RUNNING;
  channel: FakeChannel | undefined;
  readonly announcer = new FakeAnnouncer();

  constructor(
    readonly link: FakeLink,
    readonly address: string,
    family: IpFamily = 'ipv4',
  ) {
    this.path = `/run/netns/${address}`;
    this.addressList = [
      {
        ifindex: 2,
        family: family === 'ipv4' ? 2 : 10,
        address,
        prefixLength: family === 'ipv4' ? 24 : 64,
        scope: family === 'ipv4' ? 0 : 253,
        label: 'eth0',
      },
    ];
  }

  /** The virtual addresses it holds now (not its own). */
  get virtual(): string[] {
    return this.addressList.filter((a) => a.address !== this.address).map((a) => a.address);
  }

  setLink(up: boolean): void {
    this.flags = up ? UP_RUNNING : 0;
  }

  links(): Promise<NativeLink[]> {
    return Promise.resolve([
      { index: 1, name: 'lo', flags: UP_RUNNING, kind: '' },
      { index: 2, name: 'eth0', flags: this.flags, kind: 'veth' },
    ]);
  }

  addresses(): Promise<NativeAddress[]> {
    return Promise.resolve(this.addressList.map((a) => ({ ...a })));
  }

  run(requests: readonly NativeNetRequest[]): Promise<NativeNetReply[]> {
    this.requests.push(...requests);
    return Promise.resolve(
      requests.map((request): NativeNetReply => {
        if (request.op !== 'addAddress' && request.op !== 'delAddress') return { error: 0 };
        const at = this.addressList.findIndex((a) => a.address === request.address);
        if (request.op === 'addAddress') {
          if (at >= 0) return { error: osConstants.errno.EEXIST };
          this.addressList.push({
            ifindex: 2,
            family: request.address.includes(':') ? 10 : 2,
            address: request.address,
            prefixLength: request.prefixLength,
            scope: 0,
            label: request.label ?? 'eth0',
          });
          return { error: 0 };
        }
        if (at < 0) return { error: osConstants.errno.EADDRNOTAVAIL };
        this.addressList.splice(at, 1);
        return { error: 0 };
      }),
    );
  }

  openChannel(_netns: string, _ifname: string, family: IpFamily): Promise<VrrpChannel> {
    this.channel = new FakeChannel(this.link, family, this.address);
    this.link.channels.push(this.channel);
    return Promise.resolve(this.channel);
  }

  openAnnouncer(): Promise<Announcer> {
    return Promise.resolve(this.announcer);
  }
}

/** The kernel's sync daemons as state, with IPVS's errors for a second start and a stray stop. */
export class FakeSyncDaemons implements SyncDaemons {
  readonly running = new Map<DaemonState, DaemonSpec>();
  readonly calls: string[] = [];

  startDaemon(daemon: DaemonSpec): Promise<void> {
    this.calls.push(`start ${daemon.state}`);
    if (this.running.has(daemon.state))
      return Promise.reject(Object.assign(new Error('exists'), { code: 'EEXIST' }));
    this.running.set(daemon.state, daemon);
    return Promise.resolve();
  }

  stopDaemon(state: DaemonState): Promise<void> {
    if (!this.running.delete(state))
      return Promise.reject(Object.assign(new Error('no such process'), { code: 'ESRCH' }));
    this.calls.push(`stop ${state}`);
    return Promise.resolve();
  }
}

export class LogCapture {
  readonly records: LogRecord[] = [];
  readonly log = (record: LogRecord): void => {
    this.records.push(record);
  };
  events(event: string): LogRecord[] {
    return this.records.filter((r) => r.event === event);
  }
}
