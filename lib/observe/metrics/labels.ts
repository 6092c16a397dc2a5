// The label sets. node_exporter's backend labels, with the values its ipvs collector gives them
// (it reads /proc/net/ip_vs through prometheus/procfs): addresses as Go's net.IP prints them
// (IPv6 compressed, as our canonical form), ports in decimal, proto the kernel's upper-case name,
// a fwmark service with an empty local_address, local_port "0", proto "FWM" and local_mark the
// mark as the kernel prints it there (%08X). Our own families name a service and a real server by
// their identities, the same text the config, the logs and the status page use.
import type { SnapshotDestination, SnapshotService } from '../snapshot.js';
import type { Destination, Service } from '../../model/types.js';
import type { Labels } from './family.js';

export const BACKEND_LABELS = [
  'local_address',
  'local_port',
  'remote_address',
  'remote_port',
  'proto',
  'local_mark',
] as const;

export function backendLabels(service: Service, destination: Destination): Labels {
  const remote = { remote_address: destination.address, remote_port: String(destination.port) };
  if (service.fwmark !== undefined) {
    return {
      local_address: '',
      local_port: '0',
      ...remote,
      proto: 'FWM',
      local_mark: service.fwmark.toString(16).toUpperCase().padStart(8, '0'),
    };
  }
  return {
    local_address: service.address,
    local_port: String(service.port),
    ...remote,
    proto: service.protocol.toUpperCase(),
    local_mark: '',
  };
}

export const SERVICE_LABELS = ['service'] as const;
export const REAL_SERVER_LABELS = ['service', 'real_server'] as const;

export const serviceLabels = (service: SnapshotService): Labels => ({ service: service.id });

export const realServerLabels = (
  service: SnapshotService,
  destination: SnapshotDestination,
): Labels => ({ service: service.id, real_server: destination.id });
