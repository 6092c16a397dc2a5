// The kernel's table in the same normal form as the desired state (one dump).
import type { IpvsHandle } from '../core/handle.js';
import type { Destination, DestinationSpec, Service, ServiceSpec } from '../model/types.js';
import { normalService, type NormalService } from './schema.js';
import { runInSlices, type SlicedWork } from './slices.js';

export function specOfService(s: Service): ServiceSpec {
  const key =
    s.fwmark !== undefined
      ? { fwmark: s.fwmark, family: s.family }
      : { protocol: s.protocol, address: s.address, port: s.port };
  const spec: ServiceSpec = { ...key, scheduler: s.scheduler };
  if (s.persistence > 0) {
    spec.persistence = s.persistence;
    spec.netmask = s.netmask;
  }
  if (s.persistenceEngine) spec.persistenceEngine = s.persistenceEngine;
  if (s.onePacket) spec.onePacket = true;
  if (s.schedulerFlags.length > 0) spec.schedulerFlags = s.schedulerFlags;
  return spec;
}

export function specOfDestination(d: Destination): DestinationSpec {
  const spec: DestinationSpec = {
    address: d.address,
    port: d.port,
    forward: d.forward,
    weight: d.weight,
  };
  if (d.upperThreshold) spec.upperThreshold = d.upperThreshold;
  if (d.lowerThreshold) spec.lowerThreshold = d.lowerThreshold;
  if (d.forward === 'tunnel' && d.tunnel) {
    spec.tunnel =
      d.tunnel.type === 'gue'
        ? { ...d.tunnel }
        : { type: d.tunnel.type, checksum: d.tunnel.checksum };
  }
  return spec;
}

/** A service the kernel reported (with its destinations), in the planner's normal form. */
export function normalFromKernel(service: Service): NormalService {
  return normalService(specOfService(service), (service.destinations ?? []).map(specOfDestination));
}

function* normalisingKernel(services: readonly Service[]): SlicedWork<NormalService[]> {
  const normal: NormalService[] = [];
  for (const service of services) {
    normal.push(normalFromKernel(service));
    yield 1 + (service.destinations?.length ?? 0);
  }
  return normal;
}

/** The whole table, one dump; the rows are normalised in slices (see slices.ts). */
export async function currentState(ipvs: IpvsHandle): Promise<NormalService[]> {
  return runInSlices(normalisingKernel(await ipvs.listServices({ destinations: true })));
}
