// The one Operation type: every producer's operations prepare to the requests the methods send.
import { describe, expect, it } from 'vitest';
import { Batch } from '../../lib/core/batch.js';
import { operationName, prepare, targetOf, type Operation } from '../../lib/core/operation.js';

const vip = { protocol: 'tcp', address: '192.168.8.200', port: 80 } as const;

describe('prepare', () => {
  it('gives the same request as the Batch method of the same name', () => {
    const operations: Operation[] = [
      { op: 'addService', service: { ...vip, scheduler: 'rr' } },
      { op: 'addDestination', service: vip, destination: { address: '10.0.0.2', weight: 2 } },
      { op: 'deleteDestination', service: vip, destination: { address: '10.0.0.2' } },
      { op: 'zero' },
      { op: 'setTimeouts', timeouts: { tcp: 900 } },
      { op: 'stopDaemon', state: 'backup' },
    ];
    const batch = new Batch()
      .addService({ ...vip, scheduler: 'rr' })
      .addDestination(vip, { address: '10.0.0.2', weight: 2 })
      .deleteDestination(vip, { address: '10.0.0.2' })
      .zero()
      .setTimeouts({ tcp: 900 })
      .stopDaemon('backup');
    const records = operations.map((_, i) => batch.records.read(i));
    expect(records).toMatchObject(operations.map(prepare));
    expect(records.map(targetOf)).toEqual([
      'service tcp 192.168.8.200:80',
      'destination 10.0.0.2:80 of service tcp 192.168.8.200:80',
      'destination 10.0.0.2:80 of service tcp 192.168.8.200:80',
      'all services',
      'timeouts',
      'backup sync daemon',
    ]);
    expect(operations.map((_, i) => operationName(batch.records.command(i)))).toEqual(
      operations.map((o) => o.op),
    );
  });

  it('names the field of a bad operation', () => {
    expect(() => prepare({ op: 'nope' } as unknown as Operation)).toThrow(
      new TypeError("op must be an IPVS operation such as 'addService', got nope"),
    );
    expect(() => prepare(null as unknown as Operation)).toThrow(TypeError);
    expect(() =>
      prepare({
        op: 'addDestination',
        service: vip,
        destination: { address: '10.0.0.2', weight: -1 },
      }),
    ).toThrow(new RangeError('destination.weight must be an integer 0-2147483647, got -1'));
  });
});
