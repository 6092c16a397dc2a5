// The VRRP ports (ports.ts) on the addon's sockets (native/vrrp/): the one file of lib/vrrp that
// reaches the kernel. Failures with an errno become VrrpNetworkError, which keeps the errno, the
// addon's step and what was attempted where; bad arguments stay TypeError/RangeError.
import { loadNative } from '../kernel/binding.js';
import { nativeFailure } from '../kernel/native-error.js';
import type { NativeAnnouncer, NativeStep, NativeVrrpSocket } from '../kernel/native.js';
import { canonicalAddress } from '../model/identity.js';
import { errnoCode } from '../core/errors.js';
import { familyOf, type IpFamily } from './address.js';
import type { Announcer, VrrpChannel, VrrpNetwork } from './ports.js';
import type { VrrpDatagram } from './receive.js';

/** A refused VRRP network step: the errno, the addon's step, and what was attempted, where. */
export class VrrpNetworkError extends Error {
  override name = 'VrrpNetworkError';
  readonly errno: number;
  readonly code: string;
  /** What was attempted, e.g. 'open the IPv4 VRRP socket on eth0'. */
  readonly op: string;
  /** The namespace file it was attempted in. */
  readonly netns: string;
  /** The addon's step that failed: 'netns-open', 'socket', 'send', 'receive', 'closed', ... */
  readonly step: NativeStep;

  constructor(errno: number, step: NativeStep, op: string, netns: string, detail?: string) {
    const code = errnoCode(errno);
    const why =
      code === 'EPERM' || code === 'EACCES'
        ? ': permission denied (needs root / CAP_NET_RAW)'
        : code === 'ENODEV'
          ? ': no such interface in that namespace'
          : detail
            ? `: ${detail}`
            : '';
    super(`${op} in network namespace ${netns} failed${why} [${code}]`);
    this.errno = errno;
    this.code = code;
    this.op = op;
    this.netns = netns;
    this.step = step;
  }
}

/** An addon failure as a VrrpNetworkError; anything else (TypeError, RangeError) as it was. */
function rethrown(error: unknown, op: string, netns: string): unknown {
  const failure = nativeFailure(error);
  if (!failure) return error;
  return new VrrpNetworkError(failure.errno, failure.step, op, netns, failure.message);
}

function familyName(family: IpFamily): string {
  return family === 'ipv4' ? 'IPv4' : 'IPv6';
}

class NativeChannel implements VrrpChannel {
  readonly ifindex: number;

  constructor(
    readonly family: IpFamily,
    private readonly socket: NativeVrrpSocket,
    private readonly netns: string,
    private readonly ifname: string,
  ) {
    this.ifindex = socket.ifindex ?? 0;
  }

  async receive(timeoutMs: number): Promise<VrrpDatagram | null> {
    try {
      const datagram = await this.socket.receive(timeoutMs);
      if (datagram === null) return null;
      const { payload, source, destination, ttl } = datagram;
      return { payload, source, destination, ttl };
    } catch (error) {
      throw rethrown(error, `receive on the VRRP socket of ${this.ifname}`, this.netns);
    }
  }

  send(message: Uint8Array, destination: string): void {
    try {
      this.socket.send(message, destination);
    } catch (error) {
      throw rethrown(error, `send a VRRP message to ${destination} on ${this.ifname}`, this.netns);
    }
  }

  close(): void {
    this.socket.close();
  }
}

async function openChannel(
  netnsPath: string,
  ifname: string,
  family: IpFamily,
): Promise<VrrpChannel> {
  const op = `open the ${familyName(family)} VRRP socket on ${ifname}`;
  try {
    const socket = await loadNative().vrrpOpen(netnsPath, ifname, family);
    return new NativeChannel(family, socket, netnsPath, ifname);
  } catch (error) {
    throw rethrown(error, op, netnsPath);
  }
}

class NativeAnnouncerPort implements Announcer {
  constructor(
    private readonly announcer: NativeAnnouncer,
    private readonly netns: string,
    private readonly ifname: string,
  ) {}

  announce(address: string): void {
    const family = familyOf(canonicalAddress(address));
    if (family === undefined)
      throw new TypeError(
        `address must be an IPv4 or IPv6 address, got ${JSON.stringify(address)}`,
      );
    const what = family === 'ipv4' ? 'a gratuitous ARP' : 'an unsolicited neighbour advertisement';
    try {
      this.announcer.announce(canonicalAddress(address));
    } catch (error) {
      throw rethrown(error, `send ${what} for ${address} on ${this.ifname}`, this.netns);
    }
  }

  close(): void {
    this.announcer.close();
  }
}

async function openAnnouncer(netnsPath: string, ifname: string): Promise<Announcer> {
  try {
    const announcer = await loadNative().announcerOpen(netnsPath, ifname);
    return new NativeAnnouncerPort(announcer, netnsPath, ifname);
  } catch (error) {
    throw rethrown(error, `open the announcer on ${ifname}`, netnsPath);
  }
}

/** The VRRP network of this host, through the addon. */
export const nativeVrrpNetwork: VrrpNetwork = { openChannel, openAnnouncer };
