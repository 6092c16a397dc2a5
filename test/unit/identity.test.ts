// One identity for services and real servers, whoever spells them: the config, the API, the kernel.
import { describe, expect, it } from 'vitest';
import {
  canonicalAddress,
  destinationIdentity,
  endpointText,
  serviceIdentity,
} from '../../lib/model/identity.js';
import type { Service } from '../../lib/index.js';

describe('canonical addresses', () => {
  it.each([
    ['192.168.8.200', '192.168.8.200'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0:0:0:0:0:1', '2001:db8::1'],
    ['[fe80::1]', 'fe80::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0:0:1:0:0:0:1:0', '0:0:1::1:0'],
    ['::', '::'],
    ['not an address', 'not an address'],
  ])('%s -> %s', (input, canonical) => {
    expect(canonicalAddress(input)).toBe(canonical);
  });
});

describe('endpoints and identities', () => {
  it('writes IPv6 endpoints in brackets', () => {
    expect(endpointText('10.0.0.2', 80)).toBe('10.0.0.2:80');
    expect(endpointText('2001:db8::2', 80)).toBe('[2001:db8::2]:80');
    expect(destinationIdentity('2001:DB8:0::2', 8080)).toBe('[2001:db8::2]:8080');
  });

  it('is the same for a config key and the kernel report of it', () => {
    expect(serviceIdentity({ protocol: 'tcp', address: '[2001:DB8:0::1]', port: 80 })).toBe(
      'tcp [2001:db8::1]:80',
    );
    expect(serviceIdentity({ fwmark: 7 })).toBe('fwmark 7');
    expect(serviceIdentity({ fwmark: 7, family: 'ipv4' })).toBe('fwmark 7');
    expect(serviceIdentity({ fwmark: 7, family: 'ipv6' })).toBe('fwmark 7 (ipv6)');
    const reported = {
      protocol: 'udp',
      address: '192.168.8.200',
      port: 53,
      fwmark: undefined,
    } as Partial<Service> as Service;
    expect(serviceIdentity(reported)).toBe(
      serviceIdentity({ protocol: 'udp', address: '192.168.8.200', port: 53 }),
    );
    expect(serviceIdentity(reported)).not.toBe(
      serviceIdentity({ protocol: 'tcp', address: '192.168.8.200', port: 53 }),
    );
  });
});
