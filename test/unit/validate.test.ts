// Validation: every field checked before anything is sent, with errors that name the field and
// the value, and inputs normalised to one canonical form.
import { describe, expect, it } from 'vitest';
import { constants } from '../../lib/kernel/constants.js';
import {
  destinationSpec,
  serviceKey,
  serviceSpec,
  daemonSpec,
  timeouts,
  forwardMethod,
} from '../../lib/core/validate.js';

const tcp80 = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;

describe('service keys', () => {
  it('normalises an IPv4 tcp service', () => {
    expect(serviceKey(tcp80)).toEqual({
      family: constants.AF_INET,
      protocol: constants.IPPROTO_TCP,
      address: '192.168.8.200',
      port: 80,
      fwmark: 0,
    });
  });

  it('accepts IPv6 with or without brackets', () => {
    expect(serviceKey({ protocol: 'udp', address: '[2001:db8::1]', port: 53 })).toMatchObject({
      family: constants.AF_INET6,
      address: '2001:db8::1',
    });
  });

  it('takes a fwmark with a family', () => {
    expect(serviceKey({ fwmark: 7, family: 'ipv6' })).toEqual({
      family: constants.AF_INET6,
      protocol: 0,
      address: '',
      port: 0,
      fwmark: 7,
    });
  });

  it.each([
    [{ fwmark: 7, address: '10.0.0.1' }, TypeError, /not both \(address is set\)/],
    [
      { protocol: 'icmp', address: '10.0.0.1', port: 1 },
      TypeError,
      /service\.protocol must be one of 'tcp', 'udp', 'sctp', got 'icmp'/,
    ],
    [
      { protocol: 'tcp', address: '10.0.0.300', port: 80 },
      TypeError,
      /service\.address must be an IPv4 or IPv6 address, got '10\.0\.0\.300'/,
    ],
    [
      { protocol: 'tcp', address: '10.0.0.1', port: 70000 },
      RangeError,
      /service\.port must be an integer 0-65535, got 70000/,
    ],
    [{ protocol: 'tcp', address: '10.0.0.1', port: 8.5 }, RangeError, /service\.port/],
    [
      { protocol: 'tcp', address: '10.0.0.1', port: '80' },
      TypeError,
      /service\.port must be an integer 0-65535, got '80'/,
    ],
    [{ fwmark: 0 }, RangeError, /service\.fwmark must be an integer 1-4294967295, got 0/],
    [{ fwmark: 1, family: 'inet' }, TypeError, /service\.family must be one of 'ipv4', 'ipv6'/],
    [{}, TypeError, /needs either fwmark, or protocol \+ address \+ port/],
    [null, TypeError, /service must be an object, got null/],
    [
      { protocol: 'tcp', address: '10.0.0.1', port: 80, family: 'ipv6' },
      TypeError,
      /service\.family is 'ipv6' but the address 10\.0\.0\.1 is ipv4/,
    ],
  ])('rejects %o', (input, kind, message) => {
    expect(() => serviceKey(input)).toThrow(kind);
    expect(() => serviceKey(input)).toThrow(message);
  });
});

describe('service specs', () => {
  it('applies ipvsadm defaults: wlc, not persistent, full netmask', () => {
    expect(serviceSpec(tcp80)).toMatchObject({
      scheduler: 'wlc',
      timeout: 0,
      flags: 0,
      flagsMask: 0xffffffff,
      netmask: 0xffffffff,
      peName: '',
    });
  });

  it('encodes persistence, netmask, engine, one-packet and scheduler flags', () => {
    const udp = serviceSpec({
      protocol: 'udp',
      address: '10.0.0.1',
      port: 5060,
      scheduler: 'sh',
      persistence: true,
      netmask: '255.255.255.0',
      persistenceEngine: 'sip',
      onePacket: true,
      schedulerFlags: ['sh-fallback', 'sh-port'],
    });
    expect(udp.timeout).toBe(360);
    expect(udp.netmask).toBe(0xffffff00);
    expect(udp.peName).toBe('sip');
    expect(udp.flags).toBe(
      constants.IP_VS_SVC_F_PERSISTENT |
        constants.IP_VS_SVC_F_ONEPACKET |
        constants.IP_VS_SVC_F_SCHED1 |
        constants.IP_VS_SVC_F_SCHED2,
    );
  });

  it('takes an IPv6 persistence prefix', () => {
    expect(
      serviceSpec({
        protocol: 'tcp',
        address: '2001:db8::1',
        port: 443,
        persistence: 600,
        netmask: 64,
      }),
    ).toMatchObject({ timeout: 600, netmask: 64 });
  });

  it.each([
    [{ ...tcp80, scheduler: 'r r' }, TypeError, /service\.scheduler must be a scheduler name/],
    [
      { ...tcp80, onePacket: true },
      TypeError,
      /service\.onePacket applies to UDP and fwmark services only/,
    ],
    [
      { ...tcp80, port: 0 },
      RangeError,
      /service\.port 0 \(all ports\) is allowed only for a persistent service/,
    ],
    [{ ...tcp80, netmask: '255.255.255.0' }, TypeError, /service\.netmask needs persistence/],
    [
      { ...tcp80, persistence: 60, netmask: '255.0.255.0' },
      RangeError,
      /service\.netmask must be a contiguous netmask/,
    ],
    [
      { protocol: 'tcp', address: '2001:db8::1', port: 80, persistence: 60, netmask: 129 },
      RangeError,
      /service\.netmask must be an integer 1-128, got 129/,
    ],
    [
      { ...tcp80, persistenceEngine: 'sip' },
      TypeError,
      /service\.persistenceEngine needs persistence/,
    ],
    [
      { ...tcp80, scheduler: 'rr', schedulerFlags: ['sh-port'] },
      TypeError,
      /schedulerFlags\[0\] 'sh-port' applies to the sh scheduler, not 'rr'/,
    ],
    [
      { ...tcp80, schedulerFlags: ['fast'] },
      TypeError,
      /service\.schedulerFlags\[0\] must be one of/,
    ],
    [{ ...tcp80, persistence: -1 }, RangeError, /service\.persistence must be an integer/],
    [{ ...tcp80, weight: 1 }, TypeError, /service has an unknown field 'weight'/],
  ])('rejects %o', (input, kind, message) => {
    expect(() => serviceSpec(input)).toThrow(kind);
    expect(() => serviceSpec(input)).toThrow(message);
  });
});

describe('destinations', () => {
  const service = serviceKey(tcp80);

  it('defaults to direct routing, weight 1 and the service port', () => {
    expect(destinationSpec({ address: '192.168.8.20' }, service)).toEqual({
      family: constants.AF_INET,
      address: '192.168.8.20',
      port: 80,
      fwdMethod: constants.IP_VS_CONN_F_DROUTE,
      weight: 1,
      upperThreshold: 0,
      lowerThreshold: 0,
      tunType: 0,
      tunPort: 0,
      tunFlags: 0,
    });
  });

  it.each([
    ['masq', 'masq'],
    ['nat', 'masq'],
    ['-m', 'masq'],
    ['route', 'route'],
    ['dr', 'route'],
    ['gate', 'route'],
    ['-g', 'route'],
    ['tunnel', 'tunnel'],
    ['tun', 'tunnel'],
    ['ipip', 'tunnel'],
    ['-i', 'tunnel'],
  ])('reads forward %s as %s', (alias, canonical) => {
    expect(forwardMethod('forward', alias)).toBe(canonical);
  });

  it('encodes a gue tunnel with its port and checksum mode', () => {
    expect(
      destinationSpec(
        {
          address: '192.168.8.20',
          forward: 'tunnel',
          tunnel: { type: 'gue', port: 6080, checksum: 'remcsum' },
        },
        service,
      ),
    ).toMatchObject({
      fwdMethod: constants.IP_VS_CONN_F_TUNNEL,
      tunType: constants.IP_VS_CONN_F_TUNNEL_TYPE_GUE,
      tunPort: 6080,
      tunFlags: constants.IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM,
    });
  });

  it('allows another family only with tunnelling', () => {
    expect(destinationSpec({ address: '2001:db8::20', forward: 'tunnel' }, service)).toMatchObject({
      family: constants.AF_INET6,
    });
    expect(() => destinationSpec({ address: '2001:db8::20' }, service)).toThrow(
      /mixing IPv4 and IPv6 needs forward 'tunnel'/,
    );
  });

  it.each([
    [
      { address: '192.168.8.20', forward: 'bridge' },
      TypeError,
      /destination\.forward must be one of 'masq'/,
    ],
    [
      { address: '192.168.8.20', weight: -1 },
      RangeError,
      /destination\.weight must be an integer 0-2147483647, got -1/,
    ],
    [{ address: '192.168.8.20', weight: 1.5 }, RangeError, /destination\.weight/],
    [
      { address: '192.168.8.20', upperThreshold: 10, lowerThreshold: 20 },
      RangeError,
      /lowerThreshold 20 must not exceed upperThreshold 10/,
    ],
    [
      { address: '192.168.8.20', forward: 'tunnel', tunnel: { type: 'gue' } },
      TypeError,
      /destination\.tunnel\.port is required for a gue tunnel/,
    ],
    [
      { address: '192.168.8.20', forward: 'tunnel', tunnel: { type: 'ipip', checksum: 'csum' } },
      TypeError,
      /checksum applies to gue and gre tunnels only/,
    ],
    [
      { address: '192.168.8.20', tunnel: { type: 'gre' } },
      TypeError,
      /destination\.tunnel needs forward 'tunnel', not 'route'/,
    ],
    [
      { address: 'rs1.example' },
      TypeError,
      /destination\.address must be an IPv4 or IPv6 address, got 'rs1\.example'/,
    ],
  ])('rejects %o', (input, kind, message) => {
    expect(() => destinationSpec(input, service)).toThrow(kind);
    expect(() => destinationSpec(input, service)).toThrow(message);
  });
});

describe('timeouts and daemons', () => {
  it('leaves absent timeouts at 0, which the kernel reads as unchanged', () => {
    expect(timeouts({ tcp: 900 })).toEqual({ tcp: 900, tcpFin: 0, udp: 0 });
    expect(() => timeouts({ tcp: -5 })).toThrow(/timeouts\.tcp must be an integer/);
    expect(() => timeouts({ sctp: 5 })).toThrow(/timeouts has an unknown field 'sctp'/);
  });

  it('validates a sync daemon', () => {
    expect(
      daemonSpec({
        state: 'backup',
        interface: 'eth0',
        syncId: 9,
        group: '239.1.1.1',
        port: 8850,
        ttl: 2,
        maxLength: 1400,
      }),
    ).toEqual({
      state: constants.IP_VS_STATE_BACKUP,
      mcastIfn: 'eth0',
      syncId: 9,
      syncMaxlen: 1400,
      mcastGroup: '239.1.1.1',
      mcastFamily: constants.AF_INET,
      mcastPort: 8850,
      mcastTtl: 2,
    });
    expect(() => daemonSpec({ state: 'primary', interface: 'eth0' })).toThrow(
      /daemon\.state must be one of 'master', 'backup'/,
    );
    expect(() => daemonSpec({ state: 'master', interface: 'a-very-long-interface-name' })).toThrow(
      /daemon\.interface must be an interface name of 1-15 printable ASCII characters/,
    );
    expect(() => daemonSpec({ state: 'master', interface: 'eth\u00e90' })).toThrow(
      /daemon\.interface must be an interface name/,
    );
    expect(() => daemonSpec({ state: 'master', interface: 'lo', syncId: 256 })).toThrow(RangeError);
  });
});
