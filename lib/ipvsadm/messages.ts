// The sentences ipvsadm prints for kernel refusals: libipvs's ipvs_strerror table (per command,
// then generic), falling back to the C library's strerror text.
import { constants as osConstants } from 'node:os';
import { IpvsError } from '../core/errors.js';
import type { Command } from './parse-args.js';

const E = osConstants.errno;

const PER_COMMAND: Partial<Record<Command['kind'], Partial<Record<number, string>>>> = {
  'add-service': {
    [E.EEXIST]: 'Service already exists',
    [E.ENOENT]: 'Scheduler or persistence engine not found',
  },
  'edit-service': {
    [E.ESRCH]: 'No such service',
    [E.ENOENT]: 'Scheduler or persistence engine not found',
  },
  'delete-service': { [E.ESRCH]: 'No such service' },
  zero: { [E.ESRCH]: 'No such service' },
  'add-server': { [E.ESRCH]: 'Service not defined', [E.EEXIST]: 'Destination already exists' },
  'edit-server': { [E.ESRCH]: 'Service not defined', [E.ENOENT]: 'No such destination' },
  'delete-server': { [E.ESRCH]: 'Service not defined', [E.ENOENT]: 'No such destination' },
  'start-daemon': { [E.EEXIST]: 'Daemon has already run' },
  'stop-daemon': { [E.ESRCH]: 'No daemon is running' },
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

export function ipvsadmMessage(kind: Command['kind'], errno: number): string {
  return (
    PER_COMMAND[kind]?.[errno] ?? GENERIC[errno] ?? STRERROR[errno] ?? `Unknown error ${errno}`
  );
}

/** What to print for a failure: ipvsadm's sentence for kernel errors, ours for refused input. */
export function describeFailure(kind: Command['kind'], error: unknown): string {
  if (error instanceof IpvsError) return ipvsadmMessage(kind, error.errno);
  return error instanceof Error ? error.message : String(error);
}
