// The table the kernel should hold for the managed services, from their config and the health
// of their servers: healthy servers at their configured weight; failed ones at weight 0
// (inhibit) or absent (remove); and, while a service is below quorum and has a sorry server,
// the sorry server alone takes the traffic (the real servers are treated as failed).
import type { DestinationState, ServiceConfig } from './types.js';

export interface DesiredService {
  service: ServiceConfig;
  destinations: DestinationState[];
}

export interface HealthView {
  /** Whether a destination counts as healthy (up, or not yet checked). */
  serving(serviceId: string, destinationId: string): boolean;
  quorumMet(serviceId: string): boolean;
}

export function desiredService(service: ServiceConfig, view: HealthView): DesiredService {
  const sorryActive = service.sorryServer !== undefined && !view.quorumMet(service.id);
  const destinations: DestinationState[] = [];
  if (sorryActive && service.sorryServer) destinations.push(service.sorryServer);
  for (const d of service.destinations) {
    if (!sorryActive && view.serving(service.id, d.id)) destinations.push(d.dest);
    else if (d.onFailure === 'inhibit') destinations.push({ ...d.dest, weight: 0 });
  }
  return { service, destinations };
}

/** Total configured weight of a service's healthy servers, what quorum is measured against. */
export function healthyWeight(service: ServiceConfig, view: Pick<HealthView, 'serving'>): number {
  return service.destinations.reduce(
    (sum, d) => sum + (view.serving(service.id, d.id) ? d.dest.weight : 0),
    0,
  );
}
