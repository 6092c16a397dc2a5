// Kernel refusals as IpvsError: the errno and its code, the operation and its target, and a
// sentence a person understands.
import { constants as osConstants } from 'node:os';

const errnoNames = new Map<number, string>(
  Object.entries(osConstants.errno).map(([name, value]) => [value, name]),
);

/** The symbolic name of an errno ("EEXIST"), or "E<number>" if Node does not know it. */
export function errnoCode(errno: number): string {
  return errnoNames.get(errno) ?? `E${errno}`;
}

/** What was attempted: the method, and the object it was attempted on. */
export interface Attempt {
  /** The API method, e.g. 'addService'. */
  op: string;
  /** What it acted on, e.g. 'service tcp 192.168.8.200:80'. */
  target: string;
  /** Extra context for the sentence, e.g. the scheduler name for ENOENT on a service. */
  scheduler?: string;
  persistenceEngine?: string;
}

export class IpvsError extends Error {
  override name = 'IpvsError';
  /** The positive errno, e.g. 17. */
  readonly errno: number;
  /** Its symbolic name, e.g. 'EEXIST'. */
  readonly code: string;
  /** The API method that failed, e.g. 'addService'. */
  readonly op: string;
  /** What it acted on, e.g. 'service tcp 192.168.8.200:80'. */
  readonly target: string;
  /** The kernel's extended-ack message, when it sent one. */
  readonly kernelMessage: string | undefined;
  /** In a batch: the operation's index. */
  readonly index: number | undefined;
  /**
   * The kernel's extended-ack offset (NLMSGERR_ATTR_OFFS), when it sent one: bytes from the start
   * of the refused netlink message to the attribute it blames. Not part of the message.
   */
  readonly offset: number | undefined;

  constructor(
    errno: number,
    attempt: Attempt,
    kernelMessage?: string,
    index?: number,
    offset?: number,
  ) {
    const code = errnoCode(errno);
    const where = index === undefined ? '' : `batch operation ${index} (${attempt.op}): `;
    const kernel = kernelMessage ? ` (kernel: ${kernelMessage})` : '';
    super(`${where}${describe(errno, code, attempt)}${kernel} [${code}]`);
    this.errno = errno;
    this.code = code;
    this.op = attempt.op;
    this.target = attempt.target;
    this.kernelMessage = kernelMessage;
    this.index = index;
    this.offset = offset;
  }
}

function describe(errno: number, code: string, attempt: Attempt): string {
  const { op, target } = attempt;
  const isDest = target.startsWith('destination');
  switch (code) {
    case 'EEXIST':
      return `${target} already exists`;
    case 'ESRCH':
      return isDest ? `${target}: its service does not exist` : `${target} does not exist`;
    case 'ENOENT':
      if (op === 'addService' || op === 'editService') {
        const pe = attempt.persistenceEngine
          ? ` or persistence engine '${attempt.persistenceEngine}'`
          : '';
        return `${op} ${target}: the kernel has no scheduler '${attempt.scheduler ?? '?'}'${pe} (module ip_vs_${attempt.scheduler ?? '?'} could not be loaded)`;
      }
      if (op === 'open') {
        return target.startsWith('network namespace')
          ? `${op} ${target}: no such namespace file`
          : `${op} ${target}: the kernel has no IPVS (is the ip_vs module loaded?)`;
      }
      return isDest ? `${target} does not exist` : `${op} ${target}: not found`;
    case 'EPERM':
    case 'EACCES':
      return `${op} ${target}: permission denied; IPVS needs CAP_NET_ADMIN in the initial user namespace (run as root)`;
    case 'EINVAL':
      return (
        `${op} ${target}: the kernel refused the request as invalid` +
        (isDest ? ' (the kernel needs a route to the real server)' : '')
      );
    case 'ETIMEDOUT':
      return `${op} ${target}: the kernel did not answer before the deadline; the outcome is unknown`;
    case 'ECANCELED':
      return `${op} ${target}: cancelled by close() before the kernel answered; the outcome is unknown`;
    case 'ENOBUFS':
      return `${op} ${target}: the kernel's reply was lost (receive buffer overrun); the outcome is unknown`;
    case 'EBADF':
      return `${op} ${target}: the handle is closed`;
    case 'EBUSY':
      return `${op} ${target}: busy (a sync daemon of that kind is already running?)`;
    default:
      return `${op} ${target} failed: errno ${errno}`;
  }
}
