// Write operations: user input validated and turned into the native request plus a description
// of the attempt (for errors). Shared by the Ipvs methods and by batch().
import type { Attempt } from './errors.js';
import { constants } from './constants.js';
import type { NativeRequest } from './native.js';
import type { DaemonSpec, DaemonState, DestinationKey, DestinationSpec, ServiceKey, ServiceSpec, Timeouts } from './types.js';
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

export interface Operation {
  request: NativeRequest;
  attempt: Attempt;
}

const commands = constants.commands;

export function addService(spec: ServiceSpec): Operation {
  const service = serviceSpec(spec);
  return {
    request: { command: commands.newService, service },
    attempt: { op: 'addService', target: `service ${describeService(service)}`, scheduler: service.scheduler ?? '', ...(service.peName ? { persistenceEngine: service.peName } : {}) },
  };
}

export function editService(spec: ServiceSpec): Operation {
  const op = addService(spec);
  return { request: { ...op.request, command: commands.setService }, attempt: { ...op.attempt, op: 'editService' } };
}

export function deleteService(key: ServiceKey): Operation {
  const service = serviceKey(key);
  return { request: { command: commands.delService, service }, attempt: { op: 'deleteService', target: `service ${describeService(service)}` } };
}

export function addDestination(key: ServiceKey, spec: DestinationSpec): Operation {
  const service = serviceKey(key);
  const dest = destinationSpec(spec, service);
  return { request: { command: commands.newDest, service, dest }, attempt: { op: 'addDestination', target: describeDestination(dest, service) } };
}

export function editDestination(key: ServiceKey, spec: DestinationSpec): Operation {
  const op = addDestination(key, spec);
  return { request: { ...op.request, command: commands.setDest }, attempt: { ...op.attempt, op: 'editDestination' } };
}

export function deleteDestination(key: ServiceKey, destKey: DestinationKey): Operation {
  const service = serviceKey(key);
  const dest = destinationKey(destKey, service);
  return { request: { command: commands.delDest, service, dest }, attempt: { op: 'deleteDestination', target: describeDestination(dest, service) } };
}

export function zero(key?: ServiceKey): Operation {
  if (key === undefined) return { request: { command: commands.zero }, attempt: { op: 'zero', target: 'all services' } };
  const service = serviceKey(key);
  return { request: { command: commands.zero, service }, attempt: { op: 'zero', target: `service ${describeService(service)}` } };
}

export function flush(): Operation {
  return { request: { command: commands.flush }, attempt: { op: 'flush', target: 'all services' } };
}

export function setTimeouts(value: Partial<Timeouts>): Operation {
  return { request: { command: commands.setConfig, timeouts: timeouts(value) }, attempt: { op: 'setTimeouts', target: 'timeouts' } };
}

export function startDaemon(spec: DaemonSpec): Operation {
  const daemon = daemonSpec(spec);
  return {
    request: { command: commands.newDaemon, daemon },
    attempt: { op: 'startDaemon', target: `${spec.state} sync daemon on ${daemon.mcastIfn ?? ''}` },
  };
}

export function stopDaemon(state: DaemonState): Operation {
  const daemon = { state: daemonState('state', state) };
  return { request: { command: commands.delDaemon, daemon }, attempt: { op: 'stopDaemon', target: `${state} sync daemon` } };
}
