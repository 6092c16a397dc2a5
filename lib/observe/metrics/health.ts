// What `ipvs serve`'s health checker knows, for the services and real servers it manages: each
// real server's health (a state set: one sample per state, 1 for the current one), its failed
// cycles in a row, its last check, its configured and current weights; each service's quorum and
// sorry server. Without a checker (ipvs exporter alone) these families have no samples, except
// the kernel's current weight.
import { realServerLabels, REAL_SERVER_LABELS, serviceLabels, SERVICE_LABELS } from './labels.js';
import { flag, type Family } from './family.js';

const STATES = ['up', 'down', 'unknown'] as const;

const realServer = (
  name: string,
  help: string,
  labelNames: readonly string[],
  collect: Family['collect'],
): Family => ({ name: `ipvs_real_server_${name}`, help, type: 'gauge', labelNames, collect });

export const healthFamilies: readonly Family[] = [
  realServer(
    'health',
    'The health checker’s verdict on the real server: 1 for its current state, 0 for the others.',
    [...REAL_SERVER_LABELS, 'state'],
    ({ snapshot }, emit) => {
      for (const service of snapshot.services) {
        for (const destination of service.destinations) {
          const health = destination.health?.health;
          if (health === undefined) continue;
          const labels = realServerLabels(service, destination);
          for (const state of STATES) emit({ ...labels, state }, flag(state === health));
        }
      }
    },
  ),
  realServer(
    'check_failures_consecutive',
    'Failed check cycles in a row (0 after a success).',
    REAL_SERVER_LABELS,
    ({ snapshot }, emit) => {
      for (const service of snapshot.services) {
        for (const destination of service.destinations) {
          const health = destination.health;
          if (health) emit(realServerLabels(service, destination), health.failures);
        }
      }
    },
  ),
  realServer(
    'last_check_duration_seconds',
    'How long the last attempt of the last completed check cycle took.',
    REAL_SERVER_LABELS,
    ({ snapshot }, emit) => {
      for (const service of snapshot.services) {
        for (const destination of service.destinations) {
          const last = destination.health?.lastCheck;
          if (last) emit(realServerLabels(service, destination), last.seconds);
        }
      }
    },
  ),
  realServer(
    'last_check_success',
    'Whether the last completed check cycle succeeded (1) or failed (0).',
    REAL_SERVER_LABELS,
    ({ snapshot }, emit) => {
      for (const service of snapshot.services) {
        for (const destination of service.destinations) {
          const last = destination.health?.lastCheck;
          if (last) emit(realServerLabels(service, destination), flag(last.ok));
        }
      }
    },
  ),
  realServer(
    'last_check_timestamp_seconds',
    'When the last check cycle ended, in seconds since the epoch.',
    REAL_SERVER_LABELS,
    ({ snapshot }, emit) => {
      for (const service of snapshot.services) {
        for (const destination of service.destinations) {
          const last = destination.health?.lastCheck;
          if (last) emit(realServerLabels(service, destination), last.at / 1000);
        }
      }
    },
  ),
  realServer(
    'configured_weight',
    'The weight the health checker’s config gives the real server.',
    REAL_SERVER_LABELS,
    ({ snapshot }, emit) => {
      for (const service of snapshot.services) {
        for (const destination of service.destinations) {
          const health = destination.health;
          if (health) emit(realServerLabels(service, destination), health.configuredWeight);
        }
      }
    },
  ),
  realServer(
    'weight',
    'The real server’s weight in the kernel now (0: no new connections).',
    REAL_SERVER_LABELS,
    ({ snapshot }, emit) => {
      for (const service of snapshot.services) {
        for (const destination of service.destinations) {
          const kernel = destination.kernel;
          if (kernel) emit(realServerLabels(service, destination), kernel.weight);
        }
      }
    },
  ),
  {
    name: 'ipvs_service_quorum_met',
    help: 'Whether the healthy real servers reach the service’s quorum (1) or not (0).',
    type: 'gauge',
    labelNames: SERVICE_LABELS,
    collect: ({ snapshot }, emit) => {
      for (const service of snapshot.services) {
        if (service.health) emit(serviceLabels(service), flag(service.health.quorumMet));
      }
    },
  },
  {
    name: 'ipvs_service_sorry_server_active',
    help: 'Whether the service’s sorry server is in use (1) or not (0).',
    type: 'gauge',
    labelNames: SERVICE_LABELS,
    collect: ({ snapshot }, emit) => {
      for (const service of snapshot.services) {
        if (service.health) emit(serviceLabels(service), flag(service.health.sorryServerActive));
      }
    },
  },
];
