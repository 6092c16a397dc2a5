// Small exchanges that cannot stall run on the JS thread (native/addon/inline_policy.h): their
// promise settles without the event loop turning. Anything that may load a module, dump a table
// or flush goes to a worker thread, and the loop turns while it runs. Observed from JS: the call
// settles, or does not, within the microtasks that follow it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ipvs } from '../../lib/index.js';
import { loadNative } from '../../lib/kernel/binding.js';
import { RequestRecords } from '../../lib/kernel/request-records.js';
import { prepare } from '../../lib/core/operation.js';
import { CALLS_PER_TURN } from '../../lib/kernel/exchange-queue.js';
import { addLan } from '../support/net.js';
import { loopWatch } from '../support/loop-watch.js';
import { sh } from '../support/sh.js';

beforeAll(() => {
  addLan();
});

/**
 * Whether `call` needed a turn of the event loop. An inline answer settles within the microtasks
 * that follow the call; a worker's answer only after a later macrotask (its completion callback),
 * which no amount of microtasks lets in. (An immediate queued before the call is no witness: the
 * worker's completion may be handled in the poll phase before the check phase runs immediates.)
 */
async function loopTurnedDuring(call: () => Promise<unknown>): Promise<boolean> {
  const state = { settled: false };
  const done = call().then(
    () => {
      state.settled = true;
    },
    (error: unknown) => {
      state.settled = true;
      throw error;
    },
  );
  for (let hop = 0; hop < 200 && !state.settled; hop++) await Promise.resolve();
  const inline = state.settled;
  await done;
  return !inline;
}

const vip = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;
const EDITS = 640;

describe('inline exchanges', () => {
  let ipvs: Ipvs;
  beforeAll(async () => {
    ipvs = await Ipvs.open();
  });
  afterAll(() => {
    ipvs.close();
  });

  it('sends the first service with a scheduler to a worker, later ones with it inline', async () => {
    // A fresh namespace's handle has seen no scheduler: the kernel may have to load 'sed'.
    expect(await loopTurnedDuring(() => ipvs.addService({ ...vip, scheduler: 'sed' }))).toBe(true);
    expect(
      await loopTurnedDuring(() => ipvs.addService({ ...vip, port: 81, scheduler: 'sed' })),
    ).toBe(false);
    expect(
      await loopTurnedDuring(() =>
        ipvs.editService({ ...vip, port: 81, scheduler: 'sed', persistence: 60 }),
      ),
    ).toBe(false);
    expect(sh('ipvsadm', '-Ln', '-t', '192.168.8.200:81')).toMatch(/sed persistent 60/);
  });

  it('runs destination changes inline, and they reach the kernel in order', async () => {
    const rs = { address: '192.168.8.20', forward: 'masq' } as const;
    expect(await loopTurnedDuring(() => ipvs.addDestination(vip, rs))).toBe(false);
    expect(await loopTurnedDuring(() => ipvs.editDestination(vip, { ...rs, weight: 5 }))).toBe(
      false,
    );
    expect(sh('ipvsadm', '-Ln', '-t', '192.168.8.200:80')).toMatch(
      /192\.168\.8\.20:80\s+Masq\s+5\s/,
    );
    expect(await loopTurnedDuring(() => ipvs.deleteDestination(vip, rs))).toBe(false);
    expect(sh('ipvsadm', '-Ln', '-t', '192.168.8.200:80')).not.toMatch(/-> 192\.168\.8\.20:/);
  });

  it('still lets the loop turn when inline calls are awaited one after another', async () => {
    // Each call is answered before its caller makes the next: the queue gives the loop a turn
    // every CALLS_PER_TURN calls, or timers would wait for the whole sequence.
    const rs = { address: '192.168.8.21', forward: 'masq' } as const;
    await ipvs.addDestination(vip, rs);
    const watch = loopWatch();
    for (let weight = 1; weight <= EDITS; weight++) {
      await ipvs.editDestination(vip, { ...rs, weight });
    }
    const ran = watch.stop();
    expect(ran.immediates).toBeGreaterThanOrEqual(EDITS / CALLS_PER_TURN - 1);
    expect(ran.timers).toBeGreaterThan(0);
    expect(sh('ipvsadm', '-Ln', '-t', '192.168.8.200:80')).toMatch(
      new RegExp(`192\\.168\\.8\\.21:80\\s+Masq\\s+${EDITS}\\s`),
    );
    await ipvs.deleteDestination(vip, rs);
  });

  it('reports kernel refusals inline with their errno', async () => {
    await expect(ipvs.addService({ ...vip, scheduler: 'sed' })).rejects.toMatchObject({
      code: 'EEXIST',
      op: 'addService',
    });
  });

  it('sends dumps, flush and table-wide zero to a worker', async () => {
    expect(await loopTurnedDuring(() => ipvs.listServices())).toBe(true);
    expect(await loopTurnedDuring(() => ipvs.zero())).toBe(true);
    expect(await loopTurnedDuring(() => ipvs.flush())).toBe(true);
    expect(sh('ipvsadm', '-S', '-n').trim()).toBe('');
  });

  it('reads a big exchange on the worker thread: a bad record rejects, naming it, and nothing is sent', async () => {
    // More records than may run inline: the addon copies their bytes and reads them off the JS
    // thread, so a record the packer could never write is only found there.
    const records = new RequestRecords();
    for (let port = 1000; port < 1100; port++) {
      records.append(prepare({ op: 'addService', service: { ...vip, port, scheduler: 'rr' } }));
    }
    const bytes = Uint8Array.from(records.bytes(0, records.count));
    const { size, service } = loadNative().requestLayout;
    const bad = 70 * size + service.address;
    bytes.set(Buffer.from('not-an-ip'), bad + 1);
    bytes[bad] = 'not-an-ip'.length;
    const client = await loadNative().open('/proc/self/ns/net');
    try {
      await expect(client.execute(bytes, records.count, 5000)).rejects.toThrow(
        'request 70: service.address is not a valid address: not-an-ip',
      );
      expect(sh('ipvsadm', '-Sn')).not.toMatch(/:1000 /);
      // The same records, whole, are applied from the worker thread in order.
      const good = Uint8Array.from(records.bytes(0, records.count));
      const replies = await client.execute(good, records.count, 5000);
      expect(replies).toEqual(Array.from({ length: 100 }, () => 0));
      expect(sh('ipvsadm', '-Sn').match(/-A -t 192\.168\.8\.200:1\d{3} -s rr/g)).toHaveLength(100);
    } finally {
      client.close();
    }
  });
});
