// Snapshotter: concurrent callers share one reading; failures are counted and passed on.
import { describe, expect, it } from 'vitest';
import { Snapshotter } from '../../lib/observe/snapshotter.js';
import { FakeObservedTable } from '../support/fake-observed-table.js';

/** Counts listServices calls, and can fail them. */
class CountingTable extends FakeObservedTable {
  dumps = 0;
  failWith: Error | undefined;
  override async listServices(options: { destinations?: boolean } = {}) {
    this.dumps++;
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.failWith) throw this.failWith;
    return super.listServices(options);
  }
}

describe('Snapshotter', () => {
  it('gives callers that ask during a reading the same snapshot, from one dump', async () => {
    const table = new CountingTable();
    const snapshotter = new Snapshotter(table);
    const readings = await Promise.all(Array.from({ length: 10 }, () => snapshotter.read()));
    expect(table.dumps).toBe(1);
    expect(new Set(readings).size).toBe(1);
    expect(snapshotter.reads).toBe(1);
    await snapshotter.read();
    expect(table.dumps).toBe(2);
  });

  it('counts failed readings, passes the error on, and reads afresh next time', async () => {
    const table = new CountingTable();
    const snapshotter = new Snapshotter(table);
    table.failWith = new Error('EPERM');
    const both = [snapshotter.read(), snapshotter.read()];
    for (const reading of both) await expect(reading).rejects.toThrow('EPERM');
    expect(snapshotter.errors).toBe(1);
    table.failWith = undefined;
    await expect(snapshotter.read()).resolves.toMatchObject({ services: [] });
    expect(snapshotter.errors).toBe(1);
    expect(table.dumps).toBe(2);
  });
});
