// Network configuration of a namespace through the addon (native/rtnl): links, addresses, routes
// over rtnetlink and /proc/sys/net values, all read and written from inside the namespace. The
// building block of the real-server preparation and of the director and real-server checks.
import { constants as osConstants } from 'node:os';
import { loadNative } from '../kernel/binding.js';
import { errnoCode } from '../core/errors.js';
import { nativeFailure } from '../kernel/native-error.js';
import { packNetRequests } from '../kernel/net-request-packer.js';
import type {
  NativeAddress,
  NativeLink,
  NativeNetReply,
  NativeNetRequest,
  NativeRoute,
  NativeStep,
} from '../kernel/native.js';

/** A refused network-configuration step: the errno and what was attempted, on what. */
export class NetConfigError extends Error {
  override name = 'NetConfigError';
  readonly errno: number;
  readonly code: string;
  /** What was attempted, e.g. 'add address 192.168.8.200/32 to lo'. */
  readonly op: string;
  /** The namespace file it was attempted in. */
  readonly netns: string;
  /** When the whole exchange failed: the addon's step (entering the namespace, the socket, ...). */
  readonly step: NativeStep | undefined;

  constructor(errno: number, op: string, netns: string, detail?: string, step?: NativeStep) {
    const code = errnoCode(errno);
    const why =
      code === 'EPERM' || code === 'EACCES'
        ? ': permission denied (needs root / CAP_NET_ADMIN)'
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

export const DEFAULT_NETNS = '/proc/self/ns/net';
const TIMEOUT_MS = 10_000;
export const IFF_UP = 1;

/** One namespace's configuration, reached through the addon; every method is one exchange. */
export class NetNamespace {
  constructor(readonly path: string = DEFAULT_NETNS) {
    if (typeof path !== 'string' || path === '')
      throw new TypeError(
        `netns must be a path such as /run/netns/NAME, got ${JSON.stringify(path)}`,
      );
  }

  /** Runs the requests in order; a refusal comes back as its reply, not as a rejection. */
  async run(requests: readonly NativeNetRequest[]): Promise<NativeNetReply[]> {
    const packed = packNetRequests(requests);
    try {
      return await loadNative().netConfig(this.path, packed, requests.length, TIMEOUT_MS);
    } catch (error) {
      const failure = nativeFailure(error);
      if (!failure) throw error;
      throw new NetConfigError(
        failure.errno,
        'enter the namespace',
        this.path,
        failure.message,
        failure.step,
      );
    }
  }

  /** Runs one request and throws NetConfigError when it was refused. */
  async must(request: NativeNetRequest, op: string): Promise<NativeNetReply> {
    const [reply] = await this.run([request]);
    if (reply === undefined) throw new Error(`netConfig gave no reply for ${op}`);
    if (reply.error !== 0) throw new NetConfigError(reply.error, op, this.path, reply.message);
    return reply;
  }

  async links(): Promise<NativeLink[]> {
    return (await this.must({ op: 'getLinks' }, 'list links')).links ?? [];
  }

  async addresses(): Promise<NativeAddress[]> {
    return (await this.must({ op: 'getAddresses' }, 'list addresses')).addresses ?? [];
  }

  async routes(family: number): Promise<NativeRoute[]> {
    return (await this.must({ op: 'getRoutes', family }, 'list routes')).routes ?? [];
  }

  /** A /proc/sys value ('net/ipv4/ip_forward'), or undefined when the file does not exist here. */
  async sysctl(path: string): Promise<string | undefined> {
    const [reply] = await this.run([{ op: 'readSysctl', path }]);
    if (reply?.error === osConstants.errno.ENOENT) return undefined;
    if (reply === undefined || reply.error !== 0)
      throw new NetConfigError(reply?.error ?? 0, `read ${path}`, this.path, reply?.message);
    return reply.value ?? '';
  }

  async setSysctl(path: string, value: string): Promise<void> {
    await this.must({ op: 'writeSysctl', path, value }, `set ${path} to ${value}`);
  }
}

/** The dotted sysctl name, as `sysctl -w` takes it: net/ipv4/conf/lo/arp_ignore -> net.ipv4.conf.lo.arp_ignore. */
export function sysctlName(path: string): string {
  return path.replaceAll('/', '.');
}
