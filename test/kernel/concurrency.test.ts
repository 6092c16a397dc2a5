// Many calls in flight at once: order kept, every promise settled, close() in the middle safe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ipvs, IpvsError } from '../../lib/index.js';
import { addLan } from '../support/net.js';
import { sh } from '../support/sh.js';

beforeAll(() => {
  addLan();
});

const svc = (i: number) => ({ protocol: 'tcp', address: '192.168.8.200', port: 1000 + i }) as const;

describe('concurrent calls', () => {
  let ipvs: Ipvs;
  beforeAll(async () => {
    ipvs = await Ipvs.open();
  });
  afterAll(() => {
    ipvs.close();
  });

  it('applies calls made together in the order they were made, in one sendmsg', async () => {
    // Add, edit and delete interleaved: only the issue order gives this final state.
    const before = ipvs.transportCounters();
    const calls: Array<Promise<void>> = [];
    for (let i = 0; i < 200; i++) {
      calls.push(ipvs.addService({ ...svc(i), scheduler: 'rr' }));
      calls.push(ipvs.editService({ ...svc(i), scheduler: 'wrr' }));
      if (i % 2 === 0) calls.push(ipvs.deleteService(svc(i)));
    }
    await Promise.all(calls);
    const after = ipvs.transportCounters();
    expect(after.messagesSent - before.messagesSent).toBe(500);
    expect(after.sendmsgCalls - before.sendmsgCalls).toBe(1);
    const services = await ipvs.listServices();
    expect(services).toHaveLength(100);
    expect(services.every((s) => s.scheduler === 'wrr' && (s.port ?? 0) % 2 === 1)).toBe(true);
    expect(sh('ipvsadm', '-S', '-n').trim().split('\n')).toHaveLength(100);
    await ipvs.flush();
  });

  it('settles every promise when closed in the middle of hundreds of calls', async () => {
    const handle = await Ipvs.open();
    const calls: Array<Promise<unknown>> = [];
    for (let i = 0; i < 300; i++) {
      calls.push(handle.addService({ ...svc(i), scheduler: 'rr' }));
      if (i === 150) {
        await Promise.resolve();
        handle.close();
      }
      calls.push(handle.listServices());
    }
    const settled = await Promise.allSettled(calls);
    expect(settled).toHaveLength(600);
    for (const outcome of settled) {
      if (outcome.status === 'rejected') {
        expect(outcome.reason).toBeInstanceOf(IpvsError);
        expect(['EBADF', 'ECANCELED']).toContain((outcome.reason as IpvsError).code);
      }
    }
    // Nothing the kernel did is hidden: what was reported applied is there, the rest is not.
    const applied = settled.filter((o, i) => i % 2 === 0 && o.status === 'fulfilled').length;
    expect(sh('ipvsadm', '-S', '-n').trim().split('\n').filter(Boolean)).toHaveLength(applied);
    await expect(handle.getInfo()).rejects.toMatchObject({ code: 'EBADF' });
    await ipvs.flush();
  });

  it('sends each awaited call on its own', async () => {
    const before = ipvs.transportCounters();
    for (let i = 0; i < 5; i++) await ipvs.addService({ ...svc(i), scheduler: 'rr' });
    const after = ipvs.transportCounters();
    expect(after.sendmsgCalls - before.sendmsgCalls).toBe(5);
    expect(after.messagesSent - before.messagesSent).toBe(5);
    await ipvs.flush();
  });

  it('keeps handles independent: closing one leaves the other working', async () => {
    const a = await Ipvs.open();
    const b = await Ipvs.open();
    a.close();
    await b.addService({ ...svc(1), scheduler: 'rr' });
    const ports = (await b.listServices()).map((s) => s.port);
    expect(ports).toEqual([1001]);
    b.close();
    await ipvs.flush();
  });
});
