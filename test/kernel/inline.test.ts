// Small exchanges that cannot stall run on the JS thread (native/addon/inline_policy.h): their
// promise settles without the event loop turning. Anything that may load a module, dump a table
// or flush goes to a worker thread, and the loop turns while it runs. Observed from JS: a
// setImmediate callback queued before the call has or has not run when the call resolves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ipvs } from '../../lib/index.js';
import { addLan } from '../support/net.js';
import { sh } from '../support/sh.js';

beforeAll(() => {
  addLan();
});

/** Whether the event loop turned while `call` ran. */
async function loopTurnedDuring(call: () => Promise<unknown>): Promise<boolean> {
  let turned = false;
  const immediate = setImmediate(() => {
    turned = true;
  });
  await call();
  clearImmediate(immediate);
  return turned;
}

const vip = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;

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
});
