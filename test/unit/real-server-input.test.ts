// The real-server preparation and the checks, where no IPVS kernel is needed: bad input is
// refused naming the field before any namespace is touched, and the director check, run on this
// process's own namespace (no privileges needed there), reports IPVS missing exactly when this
// kernel has none.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkDirector,
  checkRealServer,
  prepareRealServer,
  undoRealServer,
} from '../../lib/index.js';

describe('real-server input', () => {
  it.each([
    [{ vip: '192.168.8.300', mode: 'dr' }, /options\.vip must be an IPv4 or IPv6 address/],
    [{ vip: '192.168.8.200', mode: 'fast' }, /options\.mode must be one of/],
    [{ vip: '192.168.8.200', mode: 'nat' }, /a NAT real server needs no preparation/],
    [{ vip: '2001:db8:8::200', mode: 'tun' }, /IPv6 tunnelling \(ip6tnl\) is not supported/],
    [{ vip: '192.168.8.200', mode: 'dr', netns: '' }, /netns must be a path/],
  ])('prepareRealServer(%o) is refused', async (options, message) => {
    await expect(prepareRealServer(options)).rejects.toThrow(message);
    await expect(undoRealServer(options)).rejects.toThrow(message);
  });

  it('needs the mode, and for a NAT real server the director', async () => {
    await expect(
      checkDirector({ vip: '192.168.8.200', mode: undefined as unknown as string }),
    ).rejects.toThrow(/mode is required/);
    await expect(checkRealServer({ vip: '192.168.8.200', mode: 'nat' })).rejects.toThrow(
      /director is required/,
    );
    await expect(
      checkRealServer({ vip: '192.168.8.200', mode: 'nat', director: 'gateway' }),
    ).rejects.toThrow(/options\.director/);
  });
});

describe('checkDirector on this machine', () => {
  it('reports ipvs-missing exactly when the kernel has no IPVS', async () => {
    const codes = (await checkDirector({ vip: '192.0.2.200', mode: 'dr' })).map((f) => f.code);
    expect(codes.includes('ipvs-missing')).toBe(!existsSync('/proc/net/ip_vs'));
    expect(codes).toContain('vip-missing'); // 192.0.2.0/24 is documentation space: never configured here
  });
});

describe('options that are not objects', () => {
  it('are refused with a TypeError, not a crash', async () => {
    await expect(
      prepareRealServer(null as unknown as Parameters<typeof prepareRealServer>[0]),
    ).rejects.toThrow(/options must be an object/);
    await expect(
      checkDirector(undefined as unknown as Parameters<typeof checkDirector>[0]),
    ).rejects.toThrow(/checkDirector options must be an object/);
  });
});
