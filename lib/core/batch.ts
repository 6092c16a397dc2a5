// batch(): many write operations, one exchange with the kernel, one result per operation.
//
// The kernel applies the messages in order, each on its own: a refused operation does not stop
// the ones after it, and there is no rollback. Every result says whether its operation was
// applied; a failure is an IpvsError that names the operation's index and what it was.
import type { IpvsError } from './errors.js';
import * as ops from './operation.js';
import type { Operation } from './operation.js';
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

/** Collects operations; each is validated when it is added (a bad one throws at once). */
export class Batch {
  /** @internal */
  readonly operations: Operation[] = [];

  get size(): number {
    return this.operations.length;
  }

  addService(spec: ServiceSpec): this {
    return this.push(ops.addService(spec));
  }
  editService(spec: ServiceSpec): this {
    return this.push(ops.editService(spec));
  }
  deleteService(key: ServiceKey): this {
    return this.push(ops.deleteService(key));
  }
  addDestination(service: ServiceKey, destination: DestinationSpec): this {
    return this.push(ops.addDestination(service, destination));
  }
  editDestination(service: ServiceKey, destination: DestinationSpec): this {
    return this.push(ops.editDestination(service, destination));
  }
  deleteDestination(service: ServiceKey, destination: DestinationKey): this {
    return this.push(ops.deleteDestination(service, destination));
  }
  zero(service?: ServiceKey): this {
    return this.push(ops.zero(service));
  }
  flush(): this {
    return this.push(ops.flush());
  }
  setTimeouts(timeouts: Partial<Timeouts>): this {
    return this.push(ops.setTimeouts(timeouts));
  }
  startDaemon(daemon: DaemonSpec): this {
    return this.push(ops.startDaemon(daemon));
  }
  stopDaemon(state: DaemonState): this {
    return this.push(ops.stopDaemon(state));
  }

  private push(operation: Operation): this {
    this.operations.push(operation);
    return this;
  }
}
