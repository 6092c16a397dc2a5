// Write operations: user input validated and turned into the native request. What was attempted
// (for error messages and batch results) is derived from the request only when someone asks:
// building those sentences eagerly cost more per operation than the kernel's own work.
// Shared by the Ipvs methods and by batch().
import type { Attempt } from './errors.js';
import { constants } from '../kernel/constants.js';
import type { NativeRequest } from '../kernel/native.js';
import type {
  DaemonSpec,
  DaemonState,
  DestinationKey,
  DestinationSpec,
  ServiceKey,
  ServiceSpec,
  Timeouts,
} from '../model/types.js';
import {
  daemonSpec,
  daemonState,
  describeDestination,
  describeService,
  destinationKey,
  destinationSpec,
  serviceKey,
  serviceSpec,
  timeouts,
} from './validate.js';

export type OperationName =
  | 'addService'
  | 'editService'
  | 'deleteService'
  | 'addDestination'
  | 'editDestination'
  | 'deleteDestination'
  | 'zero'
  | 'flush'
  | 'setTimeouts'
  | 'startDaemon'
  | 'stopDaemon';

export interface Operation {
  op: OperationName;
  request: NativeRequest;
}

const commands = constants.commands;

export function addService(spec: ServiceSpec): Operation {
  return {
    op: 'addService',
    request: { command: commands.newService, service: serviceSpec(spec) },
  };
}

export function editService(spec: ServiceSpec): Operation {
  return {
    op: 'editService',
    request: { command: commands.setService, service: serviceSpec(spec) },
  };
}

export function deleteService(key: ServiceKey): Operation {
  return {
    op: 'deleteService',
    request: { command: commands.delService, service: serviceKey(key) },
  };
}

export function addDestination(key: ServiceKey, spec: DestinationSpec): Operation {
  const service = serviceKey(key);
  return {
    op: 'addDestination',
    request: { command: commands.newDest, service, dest: destinationSpec(spec, service) },
  };
}

export function editDestination(key: ServiceKey, spec: DestinationSpec): Operation {
  const service = serviceKey(key);
  return {
    op: 'editDestination',
    request: { command: commands.setDest, service, dest: destinationSpec(spec, service) },
  };
}

export function deleteDestination(key: ServiceKey, destKey: DestinationKey): Operation {
  const service = serviceKey(key);
  return {
    op: 'deleteDestination',
    request: { command: commands.delDest, service, dest: destinationKey(destKey, service) },
  };
}

export function zero(key?: ServiceKey): Operation {
  if (key === undefined) return { op: 'zero', request: { command: commands.zero } };
  return { op: 'zero', request: { command: commands.zero, service: serviceKey(key) } };
}

export function flush(): Operation {
  return { op: 'flush', request: { command: commands.flush } };
}

export function setTimeouts(value: Partial<Timeouts>): Operation {
  return { op: 'setTimeouts', request: { command: commands.setConfig, timeouts: timeouts(value) } };
}

export function startDaemon(spec: DaemonSpec): Operation {
  return { op: 'startDaemon', request: { command: commands.newDaemon, daemon: daemonSpec(spec) } };
}

export function stopDaemon(state: DaemonState): Operation {
  return {
    op: 'stopDaemon',
    request: { command: commands.delDaemon, daemon: { state: daemonState('state', state) } },
  };
}

function daemonName(state: number): string {
  return state === constants.IP_VS_STATE_MASTER ? 'master' : 'backup';
}

/** What the operation acted on, e.g. "destination 10.0.0.2:80 of service tcp 10.0.0.1:80". */
export function targetOf({ op, request }: Operation): string {
  const { service, dest, daemon } = request;
  if (dest && service) return describeDestination(dest, service);
  if (service) return `service ${describeService(service)}`;
  if (daemon) {
    return op === 'startDaemon'
      ? `${daemonName(daemon.state)} sync daemon on ${daemon.mcastIfn ?? ''}`
      : `${daemonName(daemon.state)} sync daemon`;
  }
  return op === 'setTimeouts' ? 'timeouts' : 'all services';
}

/** The operation as an error message needs it: method, target, and the names that may be missing. */
export function attemptOf(operation: Operation): Attempt {
  const attempt: Attempt = { op: operation.op, target: targetOf(operation) };
  const service = operation.request.service;
  if (operation.op === 'addService' || operation.op === 'editService') {
    attempt.scheduler = service?.scheduler ?? '';
    if (service?.peName) attempt.persistenceEngine = service.peName;
  }
  return attempt;
}
