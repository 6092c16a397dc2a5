// The filled-in command entry as a command: a listing, or the Operation that a changing command
// performs, with the checks ipvsadm makes once all options are read.
import type { Operation } from '../core/operation.js';
import type { DaemonSpec, DestinationSpec, SchedulerFlag, ServiceSpec } from '../model/types.js';
import type { Command } from './command.js';
import { serviceKeyOf, type Entry } from './entry.js';
import { fail } from './exit.js';
import { checkListOptions, checkTunnelOptions } from './legality.js';
import type { CmdName } from './options.js';

export function toCommand(
  cmd: CmdName,
  entry: Entry,
  timeouts: { tcp: number; tcpFin: number; udp: number },
  schedulerFlags: SchedulerFlag[],
): Command {
  const { given, format } = entry;
  switch (cmd) {
    case 'list':
      checkListOptions(given);
      if (given.has('connection')) return { kind: 'list', format, what: 'connections' };
      if (given.has('service-address'))
        return { kind: 'list-service', format, service: serviceKeyOf(entry) };
      if (given.has('timeout')) return { kind: 'list', format, what: 'timeout' };
      if (given.has('daemon')) return { kind: 'list', format, what: 'daemon' };
      return { kind: 'list', format, what: 'all' };
    case 'save':
      return { kind: 'save', format };
    case 'restore':
      return { kind: 'restore' };
    default:
      return { kind: 'operation', operation: toOperation(cmd, entry, timeouts, schedulerFlags) };
  }
}

function toOperation(
  cmd: Exclude<CmdName, 'list' | 'save' | 'restore'>,
  entry: Entry,
  timeouts: { tcp: number; tcpFin: number; udp: number },
  schedulerFlags: SchedulerFlag[],
): Operation {
  switch (cmd) {
    case 'add-service':
      return { op: 'addService', service: serviceSpecOf(entry, schedulerFlags) };
    case 'edit-service':
      return { op: 'editService', service: serviceSpecOf(entry, schedulerFlags) };
    case 'delete-service':
      return { op: 'deleteService', service: serviceKeyOf(entry) };
    case 'add-server':
      return { op: 'addDestination', service: serviceKeyOf(entry), destination: serverOf(entry) };
    case 'edit-server':
      return { op: 'editDestination', service: serviceKeyOf(entry), destination: serverOf(entry) };
    case 'delete-server':
      return {
        op: 'deleteDestination',
        service: serviceKeyOf(entry),
        destination: { address: entry.dest.address ?? '0.0.0.0', port: entry.dest.port },
      };
    case 'zero':
      return entry.given.has('service-address')
        ? { op: 'zero', service: serviceKeyOf(entry) }
        : { op: 'zero' };
    case 'flush':
      return { op: 'flush' };
    case 'set':
      return { op: 'setTimeouts', timeouts };
    case 'start-daemon':
      return { op: 'startDaemon', daemon: daemonOf(entry) };
    case 'stop-daemon':
      return { op: 'stopDaemon', state: entry.daemon.state ?? 'master' };
  }
}

function serviceSpecOf(entry: Entry, schedulerFlags: SchedulerFlag[]): ServiceSpec {
  const { svc } = entry;
  if (svc.fwmark === 0 && svc.port === 0 && !svc.persistent)
    fail('Zero port specified for non-persistent service');
  if (svc.onePacket && svc.fwmark === 0 && svc.protocol !== 'udp')
    fail('One-Packet Scheduling is only for UDP virtual services');
  const service: ServiceSpec = { ...serviceKeyOf(entry), scheduler: svc.scheduler || 'wlc' };
  if (svc.persistent) {
    service.persistence = svc.timeout;
    service.netmask = svc.netmask;
  }
  if (svc.pe !== '') service.persistenceEngine = svc.pe;
  if (svc.onePacket) service.onePacket = true;
  if (schedulerFlags.length > 0) service.schedulerFlags = schedulerFlags;
  return service;
}

function serverOf(entry: Entry): DestinationSpec {
  const { svc, dest, given } = entry;
  // Direct routing and tunnels cannot change the port: the real server gets the virtual one.
  if (svc.fwmark === 0 && dest.forward !== 'masq') dest.port = svc.port;
  if (dest.family !== svc.family && dest.forward !== 'tunnel')
    fail('Different address family is allowed only for tunneling servers');
  checkTunnelOptions(dest.forward, dest.tunType, given);
  const destination: DestinationSpec = {
    address: dest.address ?? '0.0.0.0',
    port: dest.port,
    forward: dest.forward,
    weight: dest.weight,
    upperThreshold: dest.upper,
    lowerThreshold: dest.lower,
  };
  if (dest.forward === 'tunnel') {
    destination.tunnel = { type: dest.tunType, checksum: dest.checksum };
    if (dest.tunType === 'gue') destination.tunnel.port = dest.tunPort;
  }
  return destination;
}

function daemonOf({ daemon }: Entry): DaemonSpec {
  const spec: DaemonSpec = {
    state: daemon.state ?? 'master',
    interface: daemon.ifname || 'eth0',
    syncId: daemon.syncId,
  };
  if (daemon.maxLength !== undefined) spec.maxLength = daemon.maxLength;
  if (daemon.group !== undefined) spec.group = daemon.group;
  if (daemon.port !== undefined) spec.port = daemon.port;
  if (daemon.ttl !== undefined) spec.ttl = daemon.ttl;
  return spec;
}
