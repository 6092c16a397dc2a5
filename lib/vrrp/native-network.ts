// The VRRP ports (ports.ts) on the addon's sockets (native/vrrp/): the one file of lib/vrrp that
// reaches the kernel. Failures with an errno become VrrpNetworkError, which keeps the errno, the
// addon's step and what was attempted where; bad arguments stay TypeError/RangeError.
import { loadNative } from '../kernel/binding.js';
import { nativeFailure } from '../kernel/native-error.js';
import type { NativeStep, NativeVrrpSocket } from '../kernel/native.js';
import { errnoCode } from '../core/errors.js';
import type { IpFamily } from './address.js';
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
  if (family !== 'ipv4')
    throw new VrrpNetworkError(
      97, // EAFNOSUPPORT: the IPv6 socket is not in the addon yet
      'socket',
      op,
      netnsPath,
      'IPv6 VRRP is not supported yet',
    );
  try {
    const socket = await loadNative().vrrpOpen(netnsPath, ifname);
    return new NativeChannel(family, socket, netnsPath, ifname);
  } catch (error) {
    throw rethrown(error, op, netnsPath);
  }
}

function openAnnouncer(netnsPath: string, ifname: string): Promise<Announcer> {
  return Promise.reject(
    new VrrpNetworkError(
      95, // EOPNOTSUPP: the announcer is not in the addon yet
      'socket',
      `open the announcer on ${ifname}`,
      netnsPath,
      'gratuitous ARP and unsolicited NA are not supported yet',
    ),
  );
}

/** The VRRP network of this host, through the addon. */
export const nativeVrrpNetwork: VrrpNetwork = { openChannel, openAnnouncer };
