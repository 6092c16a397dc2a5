// Health-check config: defaults filled in, and every bad value rejected with the path (and, for a
// file, the line) where it is.
import { describe, expect, it } from 'vitest';
import {
  HealthConfigError,
  parseHealthConfig,
  validateHealthConfig,
} from '../../lib/health/index.js';

const service = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;

describe('health config: defaults', () => {
  it('fills in every default and inherits the service check', () => {
    const config = validateHealthConfig({
      services: [
        {
          ...service,
          check: { type: 'tcp' },
          destinations: [
            { address: '10.0.0.2', port: 8080, forward: 'nat', weight: 3 },
            { address: '10.0.0.3' },
          ],
        },
      ],
    });
    expect(config.reconcileIntervalMs).toBe(10_000);
    expect(config.flushOnStop).toBe(false);
    const [svc] = config.services;
    expect(svc).toMatchObject({
      id: 'tcp 192.168.8.200:80',
      scheduler: 'wlc',
      quorum: 0,
      hysteresis: 0,
      sorryServer: undefined,
    });
    expect(svc?.destinations.map((d) => d.id)).toEqual(['10.0.0.2:8080', '10.0.0.3:80']);
    expect(svc?.destinations[0]?.dest).toEqual({
      address: '10.0.0.2',
      port: 8080,
      forward: 'masq',
      weight: 3,
      upperThreshold: 0,
      lowerThreshold: 0,
    });
    expect(svc?.destinations[0]?.onFailure).toBe('inhibit');
    expect(svc?.destinations[1]?.check).toEqual({
      type: 'tcp',
      target: { address: '10.0.0.3', port: 80 },
      timing: {
        intervalMs: 5000,
        timeoutMs: 3000,
        retries: 1,
        retryDelayMs: 1000,
        rise: 1,
        fall: 1,
      },
    });
  });

  it('reads durations with units, status ranges, a body pattern and a check target of its own', () => {
    const config = validateHealthConfig({
      reconcileInterval: '2.5s',
      services: [
        {
          ...service,
          scheduler: 'rr',
          onFailure: 'remove',
          quorum: 4,
          hysteresis: 1,
          sorryServer: { address: '10.0.0.9', weight: 2 },
          destinations: [
            {
              address: '2001:DB8::2',
              forward: 'tunnel',
              onFailure: 'inhibit',
              check: {
                type: 'https',
                interval: '200ms',
                timeout: 150,
                retries: 0,
                retryDelay: '1m',
                rise: 2,
                fall: 3,
                port: 8443,
                path: '/healthz',
                host: 'www.example.com',
                expectStatus: [200, '300-399'],
                bodyMatch: '^ok',
              },
            },
          ],
        },
      ],
    });
    expect(config.reconcileIntervalMs).toBe(2500);
    const [svc] = config.services;
    expect(svc?.sorryServer).toMatchObject({
      address: '10.0.0.9',
      port: 80,
      weight: 2,
      forward: 'route',
    });
    const [d] = svc?.destinations ?? [];
    expect(d?.id).toBe('[2001:db8::2]:80');
    expect(d?.onFailure).toBe('inhibit');
    expect(d?.check).toMatchObject({
      type: 'https',
      target: { address: '2001:db8::2', port: 8443 },
      timing: {
        intervalMs: 200,
        timeoutMs: 150,
        retries: 0,
        retryDelayMs: 60_000,
        rise: 2,
        fall: 3,
      },
      path: '/healthz',
      host: 'www.example.com',
      expectStatus: [
        [200, 200],
        [300, 399],
      ],
      verifyTls: false,
    });
  });

  it('resolves a custom check by name, or takes a function', () => {
    const probe = (): Promise<boolean> => Promise.resolve(true);
    const config = validateHealthConfig(
      {
        services: [
          {
            ...service,
            destinations: [
              { address: '10.0.0.2', check: { type: 'custom', run: 'db' } },
              { address: '10.0.0.3', check: { type: 'custom', run: probe } },
            ],
          },
        ],
      },
      { customChecks: { db: probe } },
    );
    const checks = config.services[0]?.destinations.map((d) => d.check);
    expect(checks?.[0]).toMatchObject({ type: 'custom', name: 'db', run: probe });
    expect(checks?.[1]).toMatchObject({ type: 'custom', run: probe });
  });
});

describe('health config: errors name the path', () => {
  const withDest = (dest: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    services: [{ ...service, ...extra, destinations: [dest] }],
  });
  it.each([
    [{}, /^services must be a list of virtual services, got undefined/],
    [{ services: [], extra: 1 }, /^extra is not a known field/],
    [
      { services: [{ ...service, port: 70000 }] },
      /^services\[0\]\.port must be an integer 0-65535, got 70000/,
    ],
    [
      { services: [{ ...service, destinations: {} }] },
      /^services\[0\]\.destinations must be a list/,
    ],
    [
      withDest({ address: '10.0.0.300' }),
      /^services\[0\]\.destinations\[0\]\.address must be an IPv4 or IPv6 address/,
    ],
    [
      withDest({ address: '10.0.0.2', wieght: 2 }),
      /^services\[0\]\.destinations\[0\]\.wieght is not a known field/,
    ],
    [
      withDest({ address: '10.0.0.2', check: { type: 'ping' } }),
      /^services\[0\]\.destinations\[0\]\.check\.type must be one of tcp, http, https, command, custom, got 'ping'/,
    ],
    [
      withDest({ address: '10.0.0.2', check: { type: 'tcp', interval: 'fast' } }),
      /^services\[0\]\.destinations\[0\]\.check\.interval must be a duration such as 200ms/,
    ],
    [
      withDest({ address: '10.0.0.2', check: { type: 'tcp', timeout: 0 } }),
      /check\.timeout must be between 1ms and 24h, got 0/,
    ],
    [
      withDest({ address: '10.0.0.2', check: { type: 'tcp', rise: 0 } }),
      /check\.rise must be an integer 1-1000, got 0/,
    ],
    [
      withDest({ address: '10.0.0.2', check: { type: 'tcp', path: '/' } }),
      /check\.path is not a known field/,
    ],
    [
      withDest({ address: '10.0.0.2', check: { type: 'http', expectStatus: ['2xx'] } }),
      /check\.expectStatus\[0\] must be an HTTP status/,
    ],
    [
      withDest({ address: '10.0.0.2', check: { type: 'http', bodyMatch: '(' } }),
      /check\.bodyMatch is not a valid regular expression/,
    ],
    [
      withDest({ address: '10.0.0.2', check: { type: 'http', path: 'health' } }),
      /check\.path must be a request path starting with \//,
    ],
    [
      withDest({ address: '10.0.0.2', check: { type: 'command', argv: 'curl -f x' } }),
      /check\.argv must be a non-empty list/,
    ],
    [
      withDest({ address: '10.0.0.2', check: { type: 'command', argv: ['ok', 3] } }),
      /check\.argv\[1\] must be a string/,
    ],
    [
      withDest({ address: '10.0.0.2', check: { type: 'custom', run: 'db' } }),
      /check\.run names no custom check given to the HealthChecker \(none were given\)/,
    ],
    [
      withDest({ address: '10.0.0.2', onFailure: 'drain' }),
      /destinations\[0\]\.onFailure must be 'inhibit' or 'remove'/,
    ],
    [
      withDest({ address: '10.0.0.2' }, { check: { type: 'tcp', retries: -1 } }),
      /^services\[0\]\.check\.retries must be an integer 0-100/,
    ],
    [
      withDest({ address: '10.0.0.2' }, { quorum: 1, hysteresis: 2 }),
      /^services\[0\]\.hysteresis must not exceed quorum \(1\), got 2/,
    ],
    [
      withDest({ address: '10.0.0.2' }, { sorryServer: { address: '10.0.0.2' } }),
      /^services\[0\]\.sorryServer is also destinations\[0\]/,
    ],
    [
      {
        services: [
          {
            ...service,
            destinations: [{ address: '10.0.0.2' }, { address: '10.0.0.2', port: 80 }],
          },
        ],
      },
      /^services\[0\]\.destinations\[1\] repeats destination 10\.0\.0\.2:80/,
    ],
    [
      { services: [service, { ...service }] },
      /^services\[1\] repeats service tcp 192\.168\.8\.200:80/,
    ],
  ])('%j', (input, message) => {
    expect(() => validateHealthConfig(input)).toThrow(HealthConfigError);
    expect(() => validateHealthConfig(input)).toThrow(message);
  });
});

describe('health config files', () => {
  const yaml = `# a comment
reconcileInterval: 5s
services:
  - protocol: tcp
    address: 192.168.8.200
    port: 80
    check:
      type: http
      path: /health
      interval: soon
    destinations:
      - address: 10.0.0.2
`;

  it('says the file, the line and the path of a bad value', () => {
    let error: unknown;
    try {
      parseHealthConfig(yaml, 'lb.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HealthConfigError);
    expect((error as HealthConfigError).message).toBe(
      "lb.yaml:10: services[0].check.interval must be a duration such as 200ms, 2s or 1m (a number is milliseconds), got 'soon'",
    );
    expect((error as HealthConfigError).line).toBe(10);
  });

  it('reads JSON as well, and reports syntax errors with their line', () => {
    const config = parseHealthConfig(
      JSON.stringify({ services: [{ ...service, destinations: [{ address: '10.0.0.2' }] }] }),
      'lb.json',
    );
    expect(config.services[0]?.destinations[0]?.id).toBe('10.0.0.2:80');
    expect(() => parseHealthConfig('services:\n  - [unclosed\n', 'bad.yaml')).toThrow(
      /^bad\.yaml:\d+: \(top level\) is not valid YAML or JSON/,
    );
    expect(() => parseHealthConfig('a: 1\na: 2\n', 'dup.yaml')).toThrow(
      /^dup\.yaml:2: .*not valid YAML/,
    );
  });
});
