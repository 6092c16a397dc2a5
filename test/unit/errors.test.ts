// Kernel refusals read as sentences and keep their errno and code.
import { constants as os } from 'node:os';
import { describe, expect, it } from 'vitest';
import { IpvsError, errnoCode } from '../../lib/core/errors.js';

describe('IpvsError', () => {
  it('keeps errno, code, op and target', () => {
    const error = new IpvsError(os.errno.EEXIST, {
      op: 'addService',
      target: 'service tcp 10.0.0.1:80',
    });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'IpvsError',
      errno: os.errno.EEXIST,
      code: 'EEXIST',
      op: 'addService',
      target: 'service tcp 10.0.0.1:80',
    });
    expect(error.message).toBe('service tcp 10.0.0.1:80 already exists [EEXIST]');
  });

  it('names the scheduler the kernel could not load', () => {
    const error = new IpvsError(os.errno.ENOENT, {
      op: 'addService',
      target: 'service tcp 10.0.0.1:80',
      scheduler: 'twos',
    });
    expect(error.message).toMatch(/no scheduler 'twos'.*ip_vs_twos/);
  });

  it('explains EPERM', () => {
    expect(new IpvsError(os.errno.EPERM, { op: 'open', target: 'IPVS' }).message).toMatch(
      /CAP_NET_ADMIN in the initial user namespace/,
    );
  });

  it('says which batch operation failed and what the kernel said', () => {
    const error = new IpvsError(
      os.errno.EINVAL,
      { op: 'addDestination', target: 'destination 10.0.0.2:80 of service tcp 10.0.0.1:80' },
      'no route',
      3,
    );
    expect(error.index).toBe(3);
    expect(error.message).toMatch(
      /^batch operation 3 \(addDestination\): .*\(kernel: no route\) \[EINVAL\]$/,
    );
  });

  it('maps errno numbers to names', () => {
    expect(errnoCode(os.errno.ESRCH)).toBe('ESRCH');
    expect(errnoCode(99999)).toBe('E99999');
  });
});
