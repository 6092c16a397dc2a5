// The reply decoder against hostile input: whatever bytes arrive, the result is a decoded reply
// or a TypeError, never a crash or a read past the buffer. Seeds are real message layouts (our
// encoder writes the same nests the kernel sends back in dumps), then truncated, mutated and
// replaced by noise from a seeded generator so that any failure reproduces.
import { describe, expect, it } from 'vitest';
import { decodeReplyRows, encodeRequest } from '../../lib/kernel/codec.js';
import { constants } from '../../lib/kernel/constants.js';
import type { NativeRequest } from '../../lib/kernel/native.js';
import { prepare } from '../../lib/core/operation.js';
import { parseGenl, serializeGenl, u32Attr } from '../support/netlink.js';

const FAMILY_ID = 32;
const commands = constants.commands;
const svc = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    // xorshift32
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
}

const asReplyTo = (command: number): NativeRequest => ({
  command,
  service: {
    family: constants.AF_INET,
    protocol: 6,
    address: '192.168.8.200',
    port: 80,
    fwmark: 0,
  },
});

/**
 * A GET_DEST dump part as the kernel sends it: only the destination nest, with the connection
 * counters it always includes (IPVS_DEST_ATTR_ACTIVE_CONNS, INACT_CONNS, PERSIST_CONNS).
 */
function destReply(
  request: NativeRequest,
  active: number,
  inactive: number,
  persistent: number,
): Buffer {
  const message = parseGenl(encodeRequest(request, FAMILY_ID, 3));
  const dest = message.attrs.find((a) => a.type === 2);
  if (!dest?.children) throw new Error('no destination nest');
  dest.children.push(u32Attr(7, active), u32Attr(8, inactive), u32Attr(9, persistent));
  return serializeGenl({ ...message, attrs: [dest] });
}

const seedList: Array<[string, NativeRequest, Buffer]> = [
  [
    'service',
    asReplyTo(commands.getServices),
    encodeRequest(
      prepare({
        op: 'addService',
        service: {
          ...svc,
          scheduler: 'sh',
          persistence: 600,
          netmask: '255.255.255.0',
          schedulerFlags: ['sh-port'],
        },
      }),
      FAMILY_ID,
      1,
    ),
  ],
  [
    'ipv6 service',
    asReplyTo(commands.getServices),
    encodeRequest(
      prepare({
        op: 'addService',
        service: {
          protocol: 'udp',
          address: '2001:db8::1',
          port: 53,
          persistence: true,
          netmask: 64,
          persistenceEngine: 'sip',
        },
      }),
      FAMILY_ID,
      2,
    ),
  ],
  [
    'destination',
    asReplyTo(commands.getDests),
    destReply(
      prepare({
        op: 'addDestination',
        service: svc,
        destination: {
          address: '192.168.8.20',
          forward: 'tunnel',
          weight: 7,
          upperThreshold: 9,
          lowerThreshold: 3,
          tunnel: { type: 'gue', port: 6080, checksum: 'csum' },
        },
      }),
      11,
      22,
      33,
    ),
  ],
  [
    'daemon',
    asReplyTo(commands.getDaemons),
    encodeRequest(
      prepare({
        op: 'startDaemon',
        daemon: {
          state: 'backup',
          interface: 'eth0',
          syncId: 4,
          group: '239.1.1.1',
          port: 8850,
          ttl: 3,
          maxLength: 1400,
        },
      }),
      FAMILY_ID,
      4,
    ),
  ],
  [
    'timeouts',
    asReplyTo(commands.getConfig),
    encodeRequest(
      prepare({ op: 'setTimeouts', timeouts: { tcp: 900, tcpFin: 120, udp: 300 } }),
      FAMILY_ID,
      5,
    ),
  ],
];

interface Seed {
  request: NativeRequest;
  message: Buffer;
}
const seeds = new Map<string, Seed>(
  seedList.map(([name, request, message]) => [name, { request, message }]),
);
function seed(name: string): Seed {
  const found = seeds.get(name);
  if (!found) throw new Error(`no seed ${name}`);
  return found;
}

function decodeOrReject(request: NativeRequest, bytes: Buffer): 'decoded' | 'rejected' {
  try {
    decodeReplyRows(request, bytes);
    return 'decoded';
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return 'rejected';
  }
}

describe('reply decoder', () => {
  it('reads back what the nests say', () => {
    const service = decodeReplyRows(seed('service').request, seed('service').message);
    expect(service).toMatchObject({
      error: 0,
      services: [
        { address: '192.168.8.200', port: 80, scheduler: 'sh', timeout: 600, netmask: 0xffffff00 },
      ],
    });
    const dest = decodeReplyRows(seed('destination').request, seed('destination').message);
    expect(dest).toMatchObject({
      error: 0,
      dests: [
        {
          address: '192.168.8.20',
          port: 80,
          weight: 7,
          upperThreshold: 9,
          lowerThreshold: 3,
          tunPort: 6080,
          activeConns: 11,
          inactiveConns: 22,
          persistentConns: 33,
        },
      ],
    });
    expect(decodeReplyRows(seed('daemon').request, seed('daemon').message)).toMatchObject({
      daemons: [
        {
          mcastIfn: 'eth0',
          syncId: 4,
          mcastGroup: '239.1.1.1',
          mcastPort: 8850,
          mcastTtl: 3,
          syncMaxlen: 1400,
        },
      ],
    });
    expect(decodeReplyRows(seed('timeouts').request, seed('timeouts').message)).toMatchObject({
      timeouts: { tcp: 900, tcpFin: 120, udp: 300 },
    });
  });

  it.each(seedList)(
    'rejects every truncation of a %s message cleanly',
    (_name, request, message) => {
      for (let len = 0; len < message.length; len++) {
        decodeOrReject(request, message.subarray(0, len));
        // The same prefix with its header claiming exactly what is there: a lying attribute length.
        if (len >= 20) {
          const claimed = Buffer.from(message.subarray(0, len));
          claimed.writeUInt32LE(len, 0);
          decodeOrReject(request, claimed);
        }
      }
    },
  );

  it('survives mutated seeds and noise', () => {
    const random = seededRandom(0x1b5);
    const outcomes = { decoded: 0, rejected: 0 };
    for (let i = 0; i < 20_000; i++) {
      const { request, message } = seed(seedList[i % seedList.length]?.[0] ?? 'service');
      let bytes: Buffer;
      if (i % 4 === 3) {
        bytes = Buffer.alloc(Math.floor(random() * 512));
        for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(random() * 256);
        if (bytes.length >= 4) bytes.writeUInt32LE(bytes.length, 0);
      } else {
        bytes = Buffer.from(message);
        const flips = 1 + Math.floor(random() * 4);
        for (let f = 0; f < flips; f++)
          bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      }
      outcomes[decodeOrReject(request, bytes)] += 1;
    }
    // Both paths were exercised: some mutations still decode, many are refused.
    expect(outcomes.decoded).toBeGreaterThan(100);
    expect(outcomes.rejected).toBeGreaterThan(100);
  });

  it('treats oversized input like any other: many messages, or one that claims too much', () => {
    const { request, message } = seed('service');
    const many = decodeReplyRows(
      request,
      Buffer.concat(Array.from({ length: 5000 }, () => message)),
    );
    expect(many === 0 ? 0 : many.services?.length).toBe(5000);
    const claimsTooMuch = Buffer.from(message);
    claimsTooMuch.writeUInt32LE(0xffffffff, 0);
    expect(decodeOrReject(request, claimsTooMuch)).toBe('rejected');
  });
});
