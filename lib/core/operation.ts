// The one model of a write operation. Every producer states what it wants as an Operation: the
// Ipvs methods, batch(), apply's planner, the health checker's reconcile, restore of a rules file
// and the ipvsadm command line. prepare() validates it into the native request that the one
// executor (the handle's exchange queue) sends.
//
// What was attempted (for error messages and batch results) is derived from the prepared request
// only when someone asks: building those sentences eagerly cost more per operation than the
// kernel's own work.
import type { Attempt } from './errors.js';
import { isRecord } from '../model/guards.js';
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

export type Operation =
  | { op: 'addService'; service: ServiceSpec }
  | { op: 'editService'; service: ServiceSpec }
  | { op: 'deleteService'; service: ServiceKey }
  | { op: 'addDestination'; service: ServiceKey; destination: DestinationSpec }
  | { op: 'editDestination'; service: ServiceKey; destination: DestinationSpec }
  | { op: 'deleteDestination'; service: ServiceKey; destination: DestinationKey }
  | { op: 'zero'; service?: ServiceKey | undefined }
  | { op: 'flush' }
  | { op: 'setTimeouts'; timeouts: Partial<Timeouts> }
  | { op: 'startDaemon'; daemon: DaemonSpec }
  | { op: 'stopDaemon'; state: DaemonState };

export type OperationName = Operation['op'];

const commands = constants.commands;

/** Validates an operation (TypeError or RangeError naming the field) into its native request. */
export function prepare(operation: Operation): NativeRequest {
  if (!isRecord(operation)) {
    throw new TypeError(
      `an operation must be an object such as { op: 'flush' }, got ${String(operation)}`,
    );
  }
  switch (operation.op) {
    case 'addService':
      return { command: commands.newService, service: serviceSpec(operation.service) };
    case 'editService':
      return { command: commands.setService, service: serviceSpec(operation.service) };
    case 'deleteService':
      return { command: commands.delService, service: serviceKey(operation.service) };
    case 'addDestination': {
      const service = serviceKey(operation.service);
      return {
        command: commands.newDest,
        service,
        dest: destinationSpec(operation.destination, service),
      };
    }
    case 'editDestination': {
      const service = serviceKey(operation.service);
      return {
        command: commands.setDest,
        service,
        dest: destinationSpec(operation.destination, service),
      };
    }
    case 'deleteDestination': {
      const service = serviceKey(operation.service);
      return {
        command: commands.delDest,
        service,
        dest: destinationKey(operation.destination, service),
      };
    }
    case 'zero':
      return operation.service === undefined
        ? { command: commands.zero }
        : { command: commands.zero, service: serviceKey(operation.service) };
    case 'flush':
      return { command: commands.flush };
    case 'setTimeouts':
      return { command: commands.setConfig, timeouts: timeouts(operation.timeouts) };
    case 'startDaemon':
      return { command: commands.newDaemon, daemon: daemonSpec(operation.daemon) };
    case 'stopDaemon':
      return {
        command: commands.delDaemon,
        daemon: { state: daemonState('state', operation.state) },
      };
    default:
      throw new TypeError(
        `op must be an IPVS operation such as 'addService', got ${String((operation as { op: unknown }).op)}`,
      );
  }
}

let names: Map<number, OperationName> | undefined;

/** The operation a request's command carries out (each write command has exactly one). */
export function operationName(command: number): OperationName {
  names ??= new Map<number, OperationName>([
    [commands.newService, 'addService'],
    [commands.setService, 'editService'],
    [commands.delService, 'deleteService'],
    [commands.newDest, 'addDestination'],
    [commands.setDest, 'editDestination'],
    [commands.delDest, 'deleteDestination'],
    [commands.zero, 'zero'],
    [commands.flush, 'flush'],
    [commands.setConfig, 'setTimeouts'],
    [commands.newDaemon, 'startDaemon'],
    [commands.delDaemon, 'stopDaemon'],
  ]);
  const name = names.get(command);
  if (name === undefined) throw new TypeError(`command ${command} is not a write operation`);
  return name;
}

function daemonName(state: number): string {
  return state === constants.IP_VS_STATE_MASTER ? 'master' : 'backup';
}

/** What the operation acted on, e.g. "destination 10.0.0.2:80 of service tcp 10.0.0.1:80". */
export function targetOf(request: NativeRequest): string {
  const { service, dest, daemon } = request;
  if (dest && service) return describeDestination(dest, service);
  if (service) return `service ${describeService(service)}`;
  if (daemon) {
    return request.command === commands.newDaemon
      ? `${daemonName(daemon.state)} sync daemon on ${daemon.mcastIfn ?? ''}`
      : `${daemonName(daemon.state)} sync daemon`;
  }
  return request.command === commands.setConfig ? 'timeouts' : 'all services';
}

/** The operation as an error message needs it: method, target, and the names that may be missing. */
export function attemptOf(request: NativeRequest): Attempt {
  const op = operationName(request.command);
  const attempt: Attempt = { op, target: targetOf(request) };
  const service = request.service;
  if (op === 'addService' || op === 'editService') {
    attempt.scheduler = service?.scheduler ?? '';
    if (service?.peName) attempt.persistenceEngine = service.peName;
  }
  return attempt;
}
