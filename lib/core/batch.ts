// batch(): many write operations, one exchange with the kernel, one result per operation.
//
// The kernel applies the messages in order, each on its own: a refused operation does not stop
// the ones after it, and there is no rollback. Every result says whether its operation was
// applied; a failure is an IpvsError that names the operation's index and what it was.
import type { IpvsError } from './errors.js';
import { prepare, type Operation } from './operation.js';
import { RequestRecords } from '../kernel/request-records.js';
import type {
  DaemonSpec,
  DaemonState,
  DestinationKey,
  DestinationSpec,
  ServiceKey,
  ServiceSpec,
  Timeouts,
} from '../model/types.js';

export type BatchResult =
  | { ok: true; op: string; target: string }
  | { ok: false; op: string; target: string; error: IpvsError };

/**
 * batch()'s callback: adds the operations. What it returns is ignored, except a promise, which is
 * awaited before the batch is sent (a big batch built with turns of the event loop in between).
 */
export type BatchBuild = (batch: Batch) => unknown;

/**
 * Collects operations; each is validated when it is added (a bad one throws at once) and written
 * straight into the batch's records, which are what the exchange sends: a big batch keeps one
 * buffer, not objects per operation for the garbage collector to copy.
 */
export class Batch {
  /** @internal */
  readonly records = new RequestRecords();

  get size(): number {
    return this.records.count;
  }

  /** Adds any operation, as apply's plan, restore and the health checker state them. */
  add(operation: Operation): this {
    this.records.append(prepare(operation));
    return this;
  }

  addService(service: ServiceSpec): this {
    return this.add({ op: 'addService', service });
  }
  editService(service: ServiceSpec): this {
    return this.add({ op: 'editService', service });
  }
  deleteService(service: ServiceKey): this {
    return this.add({ op: 'deleteService', service });
  }
  addDestination(service: ServiceKey, destination: DestinationSpec): this {
    return this.add({ op: 'addDestination', service, destination });
  }
  editDestination(service: ServiceKey, destination: DestinationSpec): this {
    return this.add({ op: 'editDestination', service, destination });
  }
  deleteDestination(service: ServiceKey, destination: DestinationKey): this {
    return this.add({ op: 'deleteDestination', service, destination });
  }
  zero(service?: ServiceKey): this {
    return this.add({ op: 'zero', service });
  }
  flush(): this {
    return this.add({ op: 'flush' });
  }
  setTimeouts(timeouts: Partial<Timeouts>): this {
    return this.add({ op: 'setTimeouts', timeouts });
  }
  startDaemon(daemon: DaemonSpec): this {
    return this.add({ op: 'startDaemon', daemon });
  }
  stopDaemon(state: DaemonState): this {
    return this.add({ op: 'stopDaemon', state });
  }
}
