// drain(): take a real server out gracefully. Weight 0 stops new connections; existing ones run
// to their end; once the destination has no active and no inactive connections (or the timeout
// passes) it is deleted.
import type { IpvsHandle } from '../core/handle.js';
import type { Destination, DestinationKey, ServiceKey } from '../model/types.js';
import { destinationIdentity } from '../model/identity.js';
import { specOfDestination } from '../state/current.js';
import { serviceKey, destinationKey } from '../core/validate.js';

export interface DrainOptions {
  /** Seconds to wait for the connections to end. Default 300. */
  timeoutSeconds?: number;
  /** Seconds between polls. Default 1. */
  pollSeconds?: number;
  /** Delete the destination even when the timeout passed with connections left. Default true. */
  deleteOnTimeout?: boolean;
  /** Called after each poll. */
  onProgress?: (state: {
    activeConnections: number;
    inactiveConnections: number;
    elapsedSeconds: number;
  }) => void;
}

export interface DrainResult {
  /** 'drained': no connections left; 'timeout': the time ran out first. */
  outcome: 'drained' | 'timeout';
  deleted: boolean;
  activeConnections: number;
  inactiveConnections: number;
  elapsedSeconds: number;
}

async function find(ipvs: IpvsHandle, service: ServiceKey, key: string): Promise<Destination> {
  const found = (await ipvs.listDestinations(service)).find(
    (d) => destinationIdentity(d.address, d.port) === key,
  );
  if (!found) throw new RangeError(`drain: the service has no destination ${key}`);
  return found;
}

export async function drain(
  ipvs: IpvsHandle,
  service: ServiceKey,
  destination: DestinationKey,
  options: DrainOptions = {},
): Promise<DrainResult> {
  const timeout = options.timeoutSeconds ?? 300;
  const poll = options.pollSeconds ?? 1;
  if (!(timeout >= 0))
    throw new RangeError(`timeoutSeconds must be 0 or more, got ${String(timeout)}`);
  if (!(poll > 0)) throw new RangeError(`pollSeconds must be more than 0, got ${String(poll)}`);
  const native = serviceKey(service);
  const { address, port } = destinationKey(destination, native);
  const key = destinationIdentity(address, port);
  const start = Date.now();
  const current = await find(ipvs, service, key);
  if (current.weight !== 0)
    await ipvs.editDestination(service, { ...specOfDestination(current), weight: 0 });
  for (;;) {
    const d = await find(ipvs, service, key);
    const elapsedSeconds = (Date.now() - start) / 1000;
    const state = {
      activeConnections: d.activeConnections,
      inactiveConnections: d.inactiveConnections,
      elapsedSeconds,
    };
    options.onProgress?.(state);
    const idle = d.activeConnections === 0 && d.inactiveConnections === 0;
    if (idle || elapsedSeconds >= timeout) {
      const outcome = idle ? 'drained' : 'timeout';
      const remove = idle || (options.deleteOnTimeout ?? true);
      if (remove) await ipvs.deleteDestination(service, { address: d.address, port: d.port });
      return { outcome, deleted: remove, ...state };
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(poll, Math.max(0.05, timeout - elapsedSeconds)) * 1000),
    );
  }
}
