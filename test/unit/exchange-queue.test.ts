// The queue in front of the native client: same-tick calls share one exchange, exchanges never
// overlap, order is kept, and close() settles what has not been sent. The client here is a
// recording stand-in for the addon's (the kernel side is covered by the kernel suite).
import { describe, expect, it } from 'vitest';
import { ExchangeQueue, QueuedCall, SLICE } from '../../lib/kernel/exchange-queue.js';
import { RequestRecords } from '../../lib/kernel/request-records.js';
import { loadNative } from '../../lib/kernel/binding.js';
import type {
  NativeClient,
  NativeDestDumps,
  NativeReply,
  NativeRequest,
} from '../../lib/kernel/native.js';

const native = loadNative();

const { size: RECORD, command: COMMAND } = native.requestLayout;

/** The command of each packed record, read as the addon reads it (host byte order). */
function commandsOf(packed: Uint8Array, count: number): number[] {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  return Array.from({ length: count }, (_, i) => view.getUint32(i * RECORD + COMMAND, true));
}

class RecordingClient implements NativeClient {
  readonly familyId = 42;
  readonly exchanges: number[][] = [];
  /** Which of the exchanges were dumpDestinations() calls. */
  readonly dumpExchanges: number[] = [];
  running = 0;
  maxConcurrent = 0;
  private releases: Array<() => void> = [];

  execute(packed: Uint8Array, count: number): Promise<NativeReply[]> {
    // The packer reuses its buffer after execute() returns, as the addon expects: read it now.
    const commands = commandsOf(packed, count);
    this.exchanges.push(commands);
    this.running += 1;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.running);
    return new Promise((resolve) => {
      this.releases.push(() => {
        this.running -= 1;
        // Echo each request's command back as its "error" so that callers can check pairing.
        resolve(commands.map((command) => ({ error: command })));
      });
    });
  }
  dumpDestinations(packed: Uint8Array, count: number): Promise<NativeDestDumps> {
    const commands = commandsOf(packed, count);
    this.exchanges.push(commands);
    this.dumpExchanges.push(this.exchanges.length - 1);
    this.running += 1;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.running);
    return new Promise((resolve) => {
      this.releases.push(() => {
        this.running -= 1;
        resolve({
          errors: Int32Array.from(commands),
          ends: new Uint32Array(count),
          dests: { count: 0, numbers: new Uint32Array(0), stats: new BigUint64Array(0), texts: '' },
        });
      });
    });
  }
  release(): void {
    const pending = this.releases;
    this.releases = [];
    for (const r of pending) r();
  }
  readProcNet(): Promise<string> {
    return Promise.resolve('');
  }
  close(): void {}
  counters(): Record<string, never> {
    return {};
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const req = (command: number): NativeRequest => ({ command });

describe('ExchangeQueue', () => {
  it('sends calls made in the same tick as one exchange, each getting its own replies', async () => {
    const client = new RecordingClient();
    const queue = new ExchangeQueue(client, 1000);
    const a = queue.submit([req(1)]);
    const b = queue.submit([req(2), req(3)]);
    const c = queue.submit([req(4)]);
    await tick();
    expect(client.exchanges).toEqual([[1, 2, 3, 4]]);
    client.release();
    expect(await a).toEqual([{ error: 1 }]);
    expect(await b).toEqual([{ error: 2 }, { error: 3 }]);
    expect(await c).toEqual([{ error: 4 }]);
  });

  it('never overlaps exchanges, and gathers calls made meanwhile into the next, in order', async () => {
    const client = new RecordingClient();
    const queue = new ExchangeQueue(client, 1000);
    const first = queue.submit([req(1)]);
    await tick();
    const later = [queue.submit([req(2)]), queue.submit([req(3)])];
    await tick();
    const more = queue.submit([req(4)]);
    await tick();
    expect(client.exchanges).toEqual([[1]]);
    client.release();
    await first;
    await tick();
    expect(client.exchanges).toEqual([[1], [2, 3, 4]]);
    client.release();
    expect(await Promise.all([...later, more])).toEqual([
      [{ error: 2 }],
      [{ error: 3 }],
      [{ error: 4 }],
    ]);
    expect(client.maxConcurrent).toBe(1);
  });

  it('rejects unsent calls on close and refuses new ones', async () => {
    const client = new RecordingClient();
    const queue = new ExchangeQueue(client, 1000);
    const inFlight = queue.submit([req(1)]);
    await tick();
    const waiting = queue.submit([req(2)]);
    const closed = Object.assign(new Error('closed'), { errno: 9, step: 'closed' as const });
    queue.close(closed);
    await expect(waiting).rejects.toBe(closed);
    await expect(queue.submit([req(3)])).rejects.toBe(closed);
    client.release();
    expect(await inFlight).toEqual([{ error: 1 }]);
    expect(client.exchanges).toEqual([[1]]);
  });

  it('sends a big exchange in slices, in order, and a failed slice fails the call', async () => {
    const client = new RecordingClient();
    const queue = new ExchangeQueue(client, 1000);
    const requests = Array.from({ length: 2 * SLICE + 5 }, (_, i) => req((i % 7) + 1));
    const all = queue.submit(requests);
    for (let n = 0; n < 3; n++) {
      await new Promise((resolve) => setImmediate(resolve));
      client.release();
    }
    const replies = await all;
    expect(client.exchanges.map((e) => e.length)).toEqual([SLICE, SLICE, 5]);
    expect(client.exchanges.flat()).toEqual(requests.map((r) => r.command));
    expect(replies).toEqual(requests.map((r) => ({ error: r.command })));
    expect(client.maxConcurrent).toBe(1);

    const failing = new RecordingClient();
    const failure = new Error('socket gone');
    let calls = 0;
    const execute = failing.execute.bind(failing);
    failing.execute = (packed, count) =>
      ++calls === 2 ? Promise.reject(failure) : execute(packed, count);
    const failingQueue = new ExchangeQueue(failing, 1000);
    const call = failingQueue.submit(requests);
    await new Promise((resolve) => setImmediate(resolve));
    failing.release();
    await expect(call).rejects.toBe(failure);
    // The slice after the failed one is not sent.
    expect(calls).toBe(2);
  });

  it("keeps the order of single calls and a batch's own records made in one tick", async () => {
    const client = new RecordingClient();
    const queue = new ExchangeQueue(client, 1000);
    const settled: string[] = [];
    class Recorded extends QueuedCall {
      constructor(private readonly name: string) {
        super();
      }
      settle(replies: readonly NativeReply[], offset: number): void {
        settled.push(`${this.name}:${JSON.stringify(replies[offset])}`);
      }
      fail(): void {
        settled.push(`${this.name}:failed`);
      }
    }
    const outcome = (name: string) => new Recorded(name);
    const batch = new RequestRecords();
    for (const command of [5, 6, 7]) batch.append(req(command));
    queue.enqueue(req(1), outcome('a'));
    queue.enqueueRecords(batch, outcome('batch'));
    queue.enqueue(req(2), outcome('b'));
    await tick();
    // The batch is sent from its own records: the calls before and after it are their own runs.
    expect(client.exchanges).toEqual([[1]]);
    for (let n = 0; n < 3; n++) {
      client.release();
      await tick();
    }
    expect(client.exchanges).toEqual([[1], [5, 6, 7], [2]]);
    expect(settled).toEqual(['a:{"error":1}', 'batch:{"error":5}', 'b:{"error":2}']);
  });

  it('sends the next exchange before it settles the calls of the one just answered', async () => {
    const client = new RecordingClient();
    const queue = new ExchangeQueue(client, 1000);
    const first = queue.submit([req(1)]);
    await tick();
    const second = queue.submit([req(2)]);
    await tick();
    expect(client.exchanges).toEqual([[1]]);
    client.release();
    // When the first call's caller runs, the second exchange is already with the kernel.
    const seenByFirst = await first.then(() => client.exchanges.length);
    expect(seenByFirst).toBe(2);
    expect(client.maxConcurrent).toBe(1);
    client.release();
    expect(await second).toEqual([{ error: 2 }]);
  });

  it('sends destination dumps as an exchange of their own, in order, answered as one table', async () => {
    const client = new RecordingClient();
    const queue = new ExchangeQueue(client, 1000);
    const before = queue.submit([req(1)]);
    const dumps = queue.dumpDestinations([req(2), req(3)]);
    const after = queue.submit([req(4)]);
    for (let n = 0; n < 3; n++) {
      await tick();
      client.release();
    }
    expect(await before).toEqual([{ error: 1 }]);
    expect(Array.from((await dumps).errors)).toEqual([2, 3]);
    expect(await after).toEqual([{ error: 4 }]);
    expect(client.exchanges).toEqual([[1], [2, 3], [4]]);
    expect(client.dumpExchanges).toEqual([1]);
    expect(client.maxConcurrent).toBe(1);
  });

  it('calls made while an answer is settled go in the next exchange', async () => {
    const client = new RecordingClient();
    const queue = new ExchangeQueue(client, 1000);
    // The caller of the first call makes the second one from its continuation.
    const chained = queue.submit([req(1)]).then(() => queue.submit([req(2)]));
    await tick();
    client.release();
    await tick();
    expect(client.exchanges).toEqual([[1], [2]]);
    client.release();
    expect(await chained).toEqual([{ error: 2 }]);
  });
});
