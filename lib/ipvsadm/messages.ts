// The sentences ipvsadm prints for kernel refusals: libipvs's ipvs_strerror table (per command,
// then generic), falling back to the C library's strerror text. A changing command is keyed by
// the operation it performs (libipvs keys by its function: ipvs_zero_service has a sentence for
// ESRCH, ipvs_flush none), a listing by its command.
import { constants as osConstants } from 'node:os';
import { IpvsError } from '../core/errors.js';
import type { OperationName } from '../core/operation.js';
import type { Command } from './command.js';
import { errorMessage } from '../model/guards.js';

const E = osConstants.errno;

/** What ipvsadm's sentences depend on: the operation, or the command that is not one. */
export type MessageKey = OperationName | Exclude<Command['kind'], 'operation'>;

export function messageKeyOf(command: Command): MessageKey {
  return command.kind === 'operation' ? command.operation.op : command.kind;
}

const PER_COMMAND: Partial<Record<MessageKey, Partial<Record<number, string>>>> = {
  addService: {
    [E.EEXIST]: 'Service already exists',
    [E.ENOENT]: 'Scheduler or persistence engine not found',
  },
  editService: {
    [E.ESRCH]: 'No such service',
    [E.ENOENT]: 'Scheduler or persistence engine not found',
  },
  deleteService: { [E.ESRCH]: 'No such service' },
  zero: { [E.ESRCH]: 'No such service' },
  addDestination: {
    [E.ESRCH]: 'Service not defined',
    [E.EEXIST]: 'Destination already exists',
  },
  editDestination: { [E.ESRCH]: 'Service not defined', [E.ENOENT]: 'No such destination' },
  deleteDestination: { [E.ESRCH]: 'Service not defined', [E.ENOENT]: 'No such destination' },
  startDaemon: { [E.EEXIST]: 'Daemon has already run' },
  stopDaemon: { [E.ESRCH]: 'No daemon is running' },
  list: { [E.ESRCH]: 'No such service' },
  'list-service': { [E.ESRCH]: 'No such service' },
  save: { [E.ESRCH]: 'No such service' },
};

const GENERIC: Partial<Record<number, string>> = {
  [E.EPERM]: 'Permission denied (you must be root)',
  [E.EINVAL]: 'Invalid operation.  Possibly wrong module version, address not unicast, ...',
  [E.ENOPROTOOPT]: 'Protocol not available',
  [E.ENOMEM]: 'Memory allocation problem',
  [E.EOPNOTSUPP]: 'Operation not supported with IPv6',
  [E.EAFNOSUPPORT]: 'Operation not supported with specified address family',
  [E.EMSGSIZE]: 'Module is wrong version',
};

// glibc's strerror for the errnos IPVS returns that the tables above leave out.
const STRERROR: Partial<Record<number, string>> = {
  [E.ENOENT]: 'No such file or directory',
  [E.ESRCH]: 'No such process',
  [E.EEXIST]: 'File exists',
  [E.EBUSY]: 'Device or resource busy',
  [E.ENODEV]: 'No such device',
  [E.ERANGE]: 'Numerical result out of range',
  [E.EADDRNOTAVAIL]: 'Cannot assign requested address',
  [E.ENOBUFS]: 'No buffer space available',
  [E.ETIMEDOUT]: 'Connection timed out',
  [E.EBADF]: 'Bad file descriptor',
  [E.EACCES]: 'Permission denied',
  [E.EIO]: 'Input/output error',
};

export function ipvsadmMessage(key: MessageKey, errno: number): string {
  return PER_COMMAND[key]?.[errno] ?? GENERIC[errno] ?? STRERROR[errno] ?? `Unknown error ${errno}`;
}

/** What to print for a failure: ipvsadm's sentence for kernel errors, ours for refused input. */
export function describeFailure(key: MessageKey, error: unknown): string {
  if (error instanceof IpvsError) return ipvsadmMessage(key, error.errno);
  return errorMessage(error);
}
