// The event loop stays free while big work runs: a 100,000-operation batch (sent and answered)
// and a 20,000-service listing go to the addon and come back in slices, with a turn of the loop
// between them. Checked by structure, not by timing: an immediate and a timer queued before the
// work must run again and again while it is in progress. The client answers at once (its promise
// is already resolved), so any turn the loop takes is one the library gave it; were the work
// one synchronous block again, the counters would stay near zero.
import { describe, expect, it } from 'vitest';
import { Ipvs } from '../../lib/index.js';
import { CALLS_PER_TURN, ROWS_PER_TURN, SLICE } from '../../lib/kernel/exchange-queue.js';
import { DUMPS_PER_EXCHANGE } from '../../lib/core/listing.js';
import { loadNative } from '../../lib/kernel/binding.js';
import type {
  NativeClient,
  NativeDestDumps,
  NativeReply,
  NativeTable,
} from '../../lib/kernel/native.js';
import { loopWatch } from '../support/loop-watch.js';
import { sameDestinationsEach } from '../support/dest-dumps.js';

const native = loadNative();
const { commands } = native.constants;
const { size: RECORD, command: COMMAND } = native.requestLayout;

function table(count: number, width: number, text: (i: number) => string): NativeTable {
  return {
    count,
    numbers: new Uint32Array(count * width),
    stats: new BigUint64Array(count * 10),
    texts: Array.from({ length: count }, (_, i) => text(i)).join(''),
  };
}

const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** Answers every request at once: writes with success, dumps with a table of `services`. */
class InstantClient implements NativeClient {
  readonly familyId = 42;
  readonly counts: number[] = [];
  private seen = 0;
  private readonly services: NativeTable;
  private readonly dests = table(2, 12, (i) => `10.200.0.${i + 1}\0`);

  constructor(services = 0) {
    this.services = table(services, 7, (i) => `${address(i)}\0wlc\0\0`);
    for (let i = 0; i < services; i++) this.services.numbers.set([2, 6, 80], i * 7);
    this.dests.numbers.set([2, 80, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 80, 0, 1], 0);
  }

  execute(packed: Uint8Array, count: number): Promise<NativeReply[]> {
    this.counts.push(count);
    const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
    const replies: NativeReply[] = [];
    for (let i = 0; i < count; i++) {
      const command = view.getUint32(i * RECORD + COMMAND, true);
      if (command === commands.getServices) replies.push({ error: 0, services: this.services });
      else if (command === commands.getDests) replies.push({ error: 0, dests: this.dests });
      // Every 1000th write is refused, so that the results can be checked to stay in order.
      else replies.push(this.seen++ % 1000 === 999 ? { error: 17 } : 0);
    }
    return Promise.resolve(replies);
  }
  dumpDestinations(packed: Uint8Array, count: number): Promise<NativeDestDumps> {
    this.counts.push(count);
    return Promise.resolve(sameDestinationsEach(count, this.dests));
  }
  readProcNet(): Promise<string> {
    return Promise.resolve('');
  }
  close(): void {}
  counters(): Record<string, never> {
    return {};
  }
}

const OPS = 100_000;
const CALLS = 30_000;
const AWAITED = 5_000;

describe('big work yields to the event loop between slices', { timeout: 30_000 }, () => {
  it('a 100,000-operation batch() is sent and answered in slices, results in order', async () => {
    const client = new InstantClient();
    const ipvs = new Ipvs(client, 1000);
    let watch: ReturnType<typeof loopWatch> | undefined;
    const results = await ipvs.batch((b) => {
      for (let i = 0; i < OPS; i++) {
        b.addDestination(
          { protocol: 'tcp', address: '10.0.0.1', port: 80 },
          { address: address(i), port: 80, forward: 'masq' },
        );
      }
      // From here on the work is the library's: sending, answering, the results.
      watch = loopWatch();
    });
    const ran = watch?.stop() ?? { immediates: 0, timers: 0 };
    expect(results).toHaveLength(OPS);
    expect(results.filter((r) => !r.ok).length).toBe(Math.floor(OPS / 1000));
    expect(results[999]?.ok).toBe(false);
    expect(results[998]?.ok).toBe(true);
    expect(Math.max(...client.counts)).toBeLessThanOrEqual(SLICE);
    expect(client.counts.reduce((a, b) => a + b, 0)).toBe(OPS);
    // Slices small enough to matter, and at least one turn of the loop between them.
    expect(client.counts.length).toBeGreaterThanOrEqual(20);
    // A turn between slices, and one at least every ROWS_PER_TURN results built.
    expect(ran.immediates).toBeGreaterThanOrEqual(
      client.counts.length - 1 + Math.floor(OPS / ROWS_PER_TURN) - 1,
    );
    expect(ran.timers).toBeGreaterThan(0);
  });

  it('30,000 calls coalesced by Promise.all are answered and settled in slices too', async () => {
    const client = new InstantClient();
    const ipvs = new Ipvs(client, 1000);
    // The turn of the loop (counted by immediates) in which each call settled.
    let turn = 0;
    const settledIn: number[] = [];
    const calls = Array.from({ length: CALLS }, (_, i) =>
      ipvs
        .deleteDestination(
          { protocol: 'tcp', address: '10.0.0.1', port: 80 },
          { address: address(i) },
        )
        .then(
          () => true,
          () => false,
        )
        .then((ok) => {
          settledIn.push(turn);
          return ok;
        }),
    );
    const watch = loopWatch();
    const tick = () => {
      turn++;
      if (settledIn.length < CALLS) setImmediate(tick);
    };
    setImmediate(tick);
    const outcomes = await Promise.all(calls);
    const ran = watch.stop();
    // The callers' continuations ran a slice at a time, not all in one burst.
    const turns = new Set(settledIn).size;
    // A turn at least every ROWS_PER_TURN calls settled.
    expect(turns).toBeGreaterThanOrEqual(Math.floor(CALLS / ROWS_PER_TURN));
    expect(outcomes.filter((ok) => !ok).length).toBe(Math.floor(CALLS / 1000));
    expect(Math.max(...client.counts)).toBeLessThanOrEqual(SLICE);
    expect(client.counts.length).toBeGreaterThanOrEqual(5);
    expect(ran.immediates).toBeGreaterThanOrEqual(client.counts.length - 1);
    expect(ran.timers).toBeGreaterThan(0);
  });

  it('calls awaited one after another, each answered at once, still let the loop turn', async () => {
    // Each call is its own exchange, answered before the caller's next call: without the queue's
    // own turns, this loop would never leave the microtask queue.
    const client = new InstantClient();
    const ipvs = new Ipvs(client, 1000);
    const watch = loopWatch();
    let refused = 0;
    for (let i = 0; i < AWAITED; i++) {
      await ipvs
        .deleteDestination(
          { protocol: 'tcp', address: '10.0.0.1', port: 80 },
          { address: address(i) },
        )
        .catch(() => refused++);
    }
    const ran = watch.stop();
    expect(client.counts).toEqual(new Array<number>(AWAITED).fill(1));
    expect(refused).toBe(Math.floor(AWAITED / 1000));
    expect(ran.immediates).toBeGreaterThanOrEqual(Math.floor(AWAITED / CALLS_PER_TURN) - 1);
    expect(ran.timers).toBeGreaterThan(0);
  });

  it('listing a 20,000-service table with destinations builds its rows in slices', async () => {
    const services = 20_000;
    const client = new InstantClient(services);
    const ipvs = new Ipvs(client, 1000);
    const watch = loopWatch();
    const listed = await ipvs.listServices({ destinations: true });
    const ran = watch.stop();
    expect(listed).toHaveLength(services);
    expect(listed[services - 1]?.address).toBe(address(services - 1));
    expect(listed.every((s) => s.destinations?.length === 2)).toBe(true);
    expect(listed[0]?.destinations?.[1]?.address).toBe('10.200.0.2');
    // The destination dumps go in exchanges of DUMPS_PER_EXCHANGE services, whose rows are built
    // one exchange at a time with a turn of the loop between them.
    const dumpExchanges = client.counts.length - 1;
    expect(dumpExchanges).toBe(Math.ceil(services / DUMPS_PER_EXCHANGE));
    expect(client.counts.slice(1).every((n) => n <= DUMPS_PER_EXCHANGE)).toBe(true);
    expect(ran.immediates).toBeGreaterThanOrEqual(dumpExchanges - 1);
    expect(ran.timers).toBeGreaterThan(0);
  });
});
