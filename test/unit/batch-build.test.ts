// batch()'s build callback may return a promise (a big batch built with turns of the event loop in
// between, as the health checker's reconcile builds its repairs): the batch is sent once the
// promise resolves, and nothing is sent if it rejects. A build that returns nothing, or the batch
// itself (the adders chain), is sent in the order of the batch() call, as before.
import { describe, expect, it } from 'vitest';
import { Ipvs } from '../../lib/index.js';
import { addInSlices } from '../../lib/state/slices.js';
import { ROWS_PER_TURN } from '../../lib/kernel/exchange-queue.js';
import { loadNative } from '../../lib/kernel/binding.js';
import type { Operation } from '../../lib/core/operation.js';
import type { NativeClient, NativeDestDumps, NativeReply } from '../../lib/kernel/native.js';
import { loopWatch } from '../support/loop-watch.js';

const native = loadNative();
const { commands } = native.constants;
const { size: RECORD, command: COMMAND } = native.requestLayout;

/** Acknowledges every request at once and records each exchange's commands. */
class AckingClient implements NativeClient {
  readonly familyId = 42;
  readonly exchanges: number[][] = [];
  execute(packed: Uint8Array, count: number): Promise<NativeReply[]> {
    const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
    this.exchanges.push(
      Array.from({ length: count }, (_, i) => view.getUint32(i * RECORD + COMMAND, true)),
    );
    return Promise.resolve(new Array<NativeReply>(count).fill(0));
  }
  dumpDestinations(): Promise<NativeDestDumps> {
    return Promise.reject(new Error('not used'));
  }
  readProcNet(): Promise<string> {
    return Promise.resolve('');
  }
  close(): void {}
  counters(): Record<string, never> {
    return {};
  }
  /** Every command sent, in order. */
  sent(): number[] {
    return this.exchanges.flat();
  }
}

const vip = { protocol: 'tcp', address: '10.0.0.1', port: 80 } as const;
const address = (i: number) => `10.1.${(i >> 8) & 255}.${i & 255}`;

describe('batch() with a build that returns a promise', () => {
  it('is sent once the build resolves, after a call made meanwhile', async () => {
    const client = new AckingClient();
    const ipvs = new Ipvs(client, 1000);
    const batched = ipvs.batch(async (b) => {
      b.addService({ ...vip, scheduler: 'wlc' });
      await new Promise((resolve) => setImmediate(resolve));
      b.addDestination(vip, { address: '10.0.0.2' });
    });
    const single = ipvs.flush();
    const results = await batched;
    await single;
    expect(results.map((r) => [r.ok, r.op])).toEqual([
      [true, 'addService'],
      [true, 'addDestination'],
    ]);
    expect(client.sent()).toEqual([commands.flush, commands.newService, commands.newDest]);
  });

  it('sends nothing when the build rejects, and rejects with its error', async () => {
    const client = new AckingClient();
    const ipvs = new Ipvs(client, 1000);
    const operations: Operation[] = Array.from({ length: 3 * ROWS_PER_TURN }, (_, i) => ({
      op: 'addDestination',
      service: vip,
      destination: { address: address(i), weight: i === 2 * ROWS_PER_TURN ? -1 : 1 },
    }));
    await expect(ipvs.batch((b) => addInSlices(b, operations))).rejects.toThrow(
      'weight must be an integer 0-2147483647, got -1',
    );
    expect(client.exchanges).toEqual([]);
  });

  it('addInSlices gives the loop a turn every ROWS_PER_TURN operations', async () => {
    const client = new AckingClient();
    const ipvs = new Ipvs(client, 1000);
    const count = 40 * ROWS_PER_TURN;
    const operations: Operation[] = Array.from({ length: count }, (_, i) => ({
      op: 'addDestination',
      service: vip,
      destination: { address: address(i) },
    }));
    let ran = { immediates: 0, timers: 0 };
    const results = await ipvs.batch(async (b) => {
      const watch = loopWatch();
      await addInSlices(b, operations);
      ran = watch.stop();
    });
    expect(results).toHaveLength(count);
    expect(client.sent()).toEqual(new Array<number>(count).fill(commands.newDest));
    expect(ran.immediates).toBeGreaterThanOrEqual(count / ROWS_PER_TURN - 1);
    expect(ran.timers).toBeGreaterThan(0);
  });

  it('a build that returns the batch itself is sent in call order, as before', async () => {
    const client = new AckingClient();
    const ipvs = new Ipvs(client, 1000);
    const batched = ipvs.batch((b) => b.addService({ ...vip, scheduler: 'wlc' }));
    const single = ipvs.flush();
    await Promise.all([batched, single]);
    expect(client.sent()).toEqual([commands.newService, commands.flush]);
  });
});
