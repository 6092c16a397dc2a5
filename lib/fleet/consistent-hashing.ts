// The `consistentHashing: true` preset of the serve config, for directors side by side behind
// ECMP: a flow that the routers move to another director must find the same real server there.
// The kernel's mh scheduler (net/netfilter/ipvs/ip_vs_mh.c) builds its Maglev lookup table from
// fixed hash keys, the destination list in order (each destination added at the list's head)
// and each destination's last non-zero weight; so every director builds the same table when it
// holds the same destinations, added in the same order, with the same weights. The preset:
// - sets every service's scheduler to mh and adds the mh-fallback flag: a down server keeps its
//   slots at weight 0 (the table does not move) and the flows hashed to it are rehashed, the
//   same way on every director;
// - refuses onFailure: remove, which takes a server out of the list and, when it returns, puts
//   it at the head: the table would then depend on each director's history;
// - sorts each service's destinations by address and port, so the order of the config's lists
//   (or of a shared store's) does not matter;
// - sets net.ipv4.vs.sloppy_tcp and sloppy_sctp in the namespace, so that a director picks up a
//   flow in the middle (no SYN) instead of dropping it.
import { HealthConfigError, show } from '../health/config-error.js';
import type { HealthConfig } from '../health/types.js';
import type { NetNamespace } from '../host/net-config.js';
import type { Logger } from '../health/log.js';
import { isRecord } from '../model/guards.js';
import { compareAddresses } from './prefix.js';

export const SLOPPY_SYSCTLS = ['net/ipv4/vs/sloppy_tcp', 'net/ipv4/vs/sloppy_sctp'] as const;

/** `consistentHashing`: true or false (default). */
export function consistentHashingAt(value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean')
    throw new HealthConfigError(['consistentHashing'], `must be true or false, got ${show(value)}`);
  return value;
}

function refuseRemove(path: Array<string | number>, value: unknown): void {
  if (isRecord(value) && value.onFailure === 'remove')
    throw new HealthConfigError(
      [...path, 'onFailure'],
      "cannot be remove with consistentHashing: true (a removed server comes back at the head of mh's list and the directors' tables differ); use inhibit",
    );
}

/** The config's services (as written) with the preset's scheduler and flags. */
export function withConsistentHashing(services: unknown): unknown {
  if (!Array.isArray(services)) return services; // the health config reports it
  return services.map((service: unknown, i) => {
    if (!isRecord(service)) return service;
    const path = ['services', i];
    if (service.scheduler !== undefined && service.scheduler !== 'mh')
      throw new HealthConfigError(
        [...path, 'scheduler'],
        `must be mh or left out with consistentHashing: true, got ${show(service.scheduler)}`,
      );
    refuseRemove(path, service);
    if (Array.isArray(service.destinations))
      service.destinations.forEach((d: unknown, j) => {
        refuseRemove([...path, 'destinations', j], d);
      });
    const flags: unknown = service.schedulerFlags ?? [];
    return {
      ...service,
      scheduler: 'mh',
      schedulerFlags:
        Array.isArray(flags) && !flags.includes('mh-fallback')
          ? [...(flags as unknown[]), 'mh-fallback']
          : flags,
    };
  });
}

/** The validated config with every service's destinations in the canonical order. */
export function inCanonicalOrder(health: HealthConfig): HealthConfig {
  return {
    ...health,
    services: health.services.map((service) => ({
      ...service,
      destinations: [...service.destinations].sort(
        (a, b) => compareAddresses(a.dest.address, b.dest.address) || a.dest.port - b.dest.port,
      ),
    })),
  };
}

/** Turns the sloppy sysctls on in `netns` (IPVS must be loaded there); logs what it changed. */
export async function enableSloppySysctls(
  netns: Pick<NetNamespace, 'sysctl' | 'setSysctl'>,
  log: Logger,
): Promise<void> {
  for (const path of SLOPPY_SYSCTLS) {
    const before = await netns.sysctl(path);
    if (before === undefined)
      throw new Error(`${path.replaceAll('/', '.')} does not exist here: is IPVS loaded?`);
    if (before === '1') continue;
    await netns.setSysctl(path, '1');
    log({
      time: new Date().toISOString(),
      level: 'info',
      event: 'sysctl',
      name: path.replaceAll('/', '.'),
      from: before,
      to: '1',
      reason: 'consistentHashing',
    });
  }
}
