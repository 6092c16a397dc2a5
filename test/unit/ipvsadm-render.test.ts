// renderOperation writes an operation as an ipvsadm rules line; the parser must read that line
// back as the same operation (what apply --dry-run prints can be fed to ipvs -R or ipvsadm -R).
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../lib/core/operation.js';
import { ServiceNames } from '../../lib/ipvsadm/names.js';
import { COMMAND_OF_OPERATION } from '../../lib/ipvsadm/options.js';
import { parseArgs } from '../../lib/ipvsadm/parse-args.js';
import { renderOperation } from '../../lib/ipvsadm/render.js';

const services = ServiceNames.fromText('');
const parse = (line: string): unknown =>
  parseArgs(line.split(' '), { program: 'ipvsadm', services, resolveHost: () => undefined });

const web = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;
const web6 = { protocol: 'tcp', address: '2001:db8:8::200', port: 443 } as const;
const mark6 = { fwmark: 7, family: 'ipv6' } as const;
const server = { upperThreshold: 0, lowerThreshold: 0 } as const;

// Operations in the form the parser produces (its defaults spelled out), so that equality holds.
const OPERATIONS: Array<[string, Operation]> = [
  ['-A -t 192.168.8.200:80 -s rr', { op: 'addService', service: { ...web, scheduler: 'rr' } }],
  [
    '-E -t [2001:db8:8::200]:443 -s sh -p 600 -M 64 -b sh-fallback,sh-port',
    {
      op: 'editService',
      service: {
        ...web6,
        scheduler: 'sh',
        persistence: 600,
        netmask: 64,
        schedulerFlags: ['sh-fallback', 'sh-port'],
      },
    },
  ],
  [
    '-A -u 200.1.1.1:5060 -s wlc -p 30 -M 255.255.255.0 --pe sip -o',
    {
      op: 'addService',
      service: {
        protocol: 'udp',
        address: '200.1.1.1',
        port: 5060,
        scheduler: 'wlc',
        persistence: 30,
        netmask: '255.255.255.0',
        persistenceEngine: 'sip',
        onePacket: true,
      },
    },
  ],
  [
    '-A -f 7 -6 -s mh -b mh-port',
    { op: 'addService', service: { ...mark6, scheduler: 'mh', schedulerFlags: ['mh-port'] } },
  ],
  [
    '-D --sctp-service 192.168.8.202:3868',
    { op: 'deleteService', service: { protocol: 'sctp', address: '192.168.8.202', port: 3868 } },
  ],
  [
    '-a -t 192.168.8.200:80 -r 10.8.0.2:8080 -m -w 2 -x 100 -y 10',
    {
      op: 'addDestination',
      service: web,
      destination: {
        address: '10.8.0.2',
        port: 8080,
        forward: 'masq',
        weight: 2,
        upperThreshold: 100,
        lowerThreshold: 10,
      },
    },
  ],
  [
    '-e -t 192.168.8.200:80 -r 192.168.8.20:80 -g -w 0',
    {
      op: 'editDestination',
      service: web,
      destination: { address: '192.168.8.20', port: 80, forward: 'route', weight: 0, ...server },
    },
  ],
  [
    '-a -t [2001:db8:8::200]:443 -r 192.168.8.22:443 -i -w 5 --tun-type gue --tun-port 6080 --tun-remcsum',
    {
      op: 'addDestination',
      service: web6,
      destination: {
        address: '192.168.8.22',
        port: 443,
        forward: 'tunnel',
        weight: 5,
        ...server,
        tunnel: { type: 'gue', checksum: 'remcsum', port: 6080 },
      },
    },
  ],
  [
    '-a -f 7 -6 -r [2001:db8:8::77]:0 -i -w 1 --tun-type gre --tun-csum',
    {
      op: 'addDestination',
      service: mark6,
      destination: {
        address: '2001:db8:8::77',
        port: 0,
        forward: 'tunnel',
        weight: 1,
        ...server,
        tunnel: { type: 'gre', checksum: 'csum' },
      },
    },
  ],
  [
    '-d -t 192.168.8.200:80 -r 192.168.8.30:80',
    { op: 'deleteDestination', service: web, destination: { address: '192.168.8.30', port: 80 } },
  ],
  ['-Z', { op: 'zero' }],
  ['-Z -f 4294967295', { op: 'zero', service: { fwmark: 4294967295, family: 'ipv4' } }],
  ['-C', { op: 'flush' }],
  ['--set 900 120 300', { op: 'setTimeouts', timeouts: { tcp: 900, tcpFin: 120, udp: 300 } }],
  [
    '--start-daemon backup --mcast-interface eth1 --syncid 9 --sync-maxlen 1400 --mcast-group ff02::81 --mcast-port 9000 --mcast-ttl 3',
    {
      op: 'startDaemon',
      daemon: {
        state: 'backup',
        interface: 'eth1',
        syncId: 9,
        maxLength: 1400,
        group: 'ff02::81',
        port: 9000,
        ttl: 3,
      },
    },
  ],
  ['--stop-daemon master', { op: 'stopDaemon', state: 'master' }],
];

describe('renderOperation', () => {
  it.each(OPERATIONS)('%s', (line, operation) => {
    expect(renderOperation(operation)).toBe(line);
    expect(parse(renderOperation(operation))).toEqual({ kind: 'operation', operation });
  });

  it('covers every kind of operation', () => {
    const kinds = new Set(OPERATIONS.map(([, operation]) => operation.op));
    expect([...kinds].sort()).toEqual(Object.keys(COMMAND_OF_OPERATION).sort());
  });

  it('writes the defaults ipvsadm would apply, and accepted spellings as ipvsadm flags', () => {
    expect(
      renderOperation({ op: 'addService', service: { ...web, persistence: true, netmask: 24 } }),
    ).toBe('-A -t 192.168.8.200:80 -s wlc -p 360 -M 24');
    expect(
      renderOperation({
        op: 'addDestination',
        service: web6,
        destination: { address: '2001:db8::5', forward: 'nat' },
      }),
    ).toBe('-a -t [2001:db8:8::200]:443 -r 2001:db8::5 -m -w 1');
    expect(renderOperation({ op: 'setTimeouts', timeouts: { tcpFin: 30 } })).toBe('--set 0 30 0');
  });
});
