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

/** An operation validated and encoded for the kernel: what the exchange sends. */
export interface PreparedOperation {
  op: OperationName;
  request: NativeRequest;
}

const commands = constants.commands;

/** Validates an operation (TypeError or RangeError naming the field) into its native request. */
export function prepare(operation: Operation): PreparedOperation {
  if (!isRecord(operation)) {
    throw new TypeError(
      `an operation must be an object such as { op: 'flush' }, got ${String(operation)}`,
    );
  }
  const { op } = operation;
  switch (op) {
    case 'addService':
      return {
        op,
        request: { command: commands.newService, service: serviceSpec(operation.service) },
      };
    case 'editService':
      return {
        op,
        request: { command: commands.setService, service: serviceSpec(operation.service) },
      };
    case 'deleteService':
      return {
        op,
        request: { command: commands.delService, service: serviceKey(operation.service) },
      };
    case 'addDestination':
    case 'editDestination': {
      const service = serviceKey(operation.service);
      const command = op === 'addDestination' ? commands.newDest : commands.setDest;
      return {
        op,
        request: { command, service, dest: destinationSpec(operation.destination, service) },
      };
    }
    case 'deleteDestination': {
      const service = serviceKey(operation.service);
      const dest = destinationKey(operation.destination, service);
      return { op, request: { command: commands.delDest, service, dest } };
    }
    case 'zero':
      return operation.service === undefined
        ? { op, request: { command: commands.zero } }
        : { op, request: { command: commands.zero, service: serviceKey(operation.service) } };
    case 'flush':
      return { op, request: { command: commands.flush } };
    case 'setTimeouts':
      return {
        op,
        request: { command: commands.setConfig, timeouts: timeouts(operation.timeouts) },
      };
    case 'startDaemon':
      return { op, request: { command: commands.newDaemon, daemon: daemonSpec(operation.daemon) } };
    case 'stopDaemon': {
      const state = daemonState('state', operation.state);
      return { op, request: { command: commands.delDaemon, daemon: { state } } };
    }
    default:
      throw new TypeError(`op must be an IPVS operation such as 'addService', got ${String(op)}`);
  }
}

function daemonName(state: number): string {
  return state === constants.IP_VS_STATE_MASTER ? 'master' : 'backup';
}

/** What the operation acted on, e.g. "destination 10.0.0.2:80 of service tcp 10.0.0.1:80". */
export function targetOf({ op, request }: PreparedOperation): string {
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
export function attemptOf(operation: PreparedOperation): Attempt {
  const attempt: Attempt = { op: operation.op, target: targetOf(operation) };
  const service = operation.request.service;
  if (operation.op === 'addService' || operation.op === 'editService') {
    attempt.scheduler = service?.scheduler ?? '';
    if (service?.peName) attempt.persistenceEngine = service.peName;
  }
  return attempt;
}
