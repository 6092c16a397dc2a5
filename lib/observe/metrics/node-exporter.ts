// The families node_exporter's ipvs collector has, with its names, types, help and labels, so
// dashboards and alerts written for it work unchanged: the namespace's five totals, and per
// backend the active and inactive connections and the weight. Like node_exporter, backends
// whose labels coincide (one real server behind two fwmark services of one mark, IPv4 and IPv6)
// are summed into one sample.
import type { Snapshot } from '../snapshot.js';
import { backendLabels, BACKEND_LABELS } from './labels.js';
import { counterValue, type Family, type Labels } from './family.js';
import type { Stats } from '../../model/types.js';

function total(name: string, help: string, field: keyof Stats): Family {
  return {
    name: `node_ipvs_${name}`,
    help,
    type: 'counter',
    labelNames: [],
    collect: ({ snapshot }, emit) => {
      emit({}, counterValue(snapshot.totals[field]));
    },
  };
}

interface Backend {
  labels: Labels;
  active: number;
  inactive: number;
  weight: number;
}

const backendsOf = new WeakMap<Snapshot, Backend[]>();

/** The backends of a snapshot, summed by label set; computed once for the three families. */
function backends(snapshot: Snapshot): Backend[] {
  const known = backendsOf.get(snapshot);
  if (known) return known;
  const byKey = new Map<string, Backend>();
  for (const service of snapshot.services) {
    if (!service.kernel) continue;
    for (const { kernel } of service.destinations) {
      if (!kernel) continue;
      const labels = backendLabels(service.kernel, kernel);
      const key = BACKEND_LABELS.map((name) => labels[name]).join('\n');
      const had = byKey.get(key);
      if (had) {
        had.active += kernel.activeConnections;
        had.inactive += kernel.inactiveConnections;
        had.weight += kernel.weight;
      } else {
        byKey.set(key, {
          labels,
          active: kernel.activeConnections,
          inactive: kernel.inactiveConnections,
          weight: kernel.weight,
        });
      }
    }
  }
  const list = [...byKey.values()];
  backendsOf.set(snapshot, list);
  return list;
}

function backend(name: string, help: string, field: 'active' | 'inactive' | 'weight'): Family {
  return {
    name: `node_ipvs_${name}`,
    help,
    type: 'gauge',
    labelNames: BACKEND_LABELS,
    collect: ({ snapshot }, emit) => {
      for (const b of backends(snapshot)) emit(b.labels, b[field]);
    },
  };
}

export const nodeExporterFamilies: readonly Family[] = [
  total('connections_total', 'The total number of connections made.', 'conns'),
  total('incoming_packets_total', 'The total number of incoming packets.', 'inPkts'),
  total('outgoing_packets_total', 'The total number of outgoing packets.', 'outPkts'),
  total('incoming_bytes_total', 'The total amount of incoming data.', 'inBytes'),
  total('outgoing_bytes_total', 'The total amount of outgoing data.', 'outBytes'),
  backend(
    'backend_connections_active',
    'The current active connections by local and remote address.',
    'active',
  ),
  backend(
    'backend_connections_inactive',
    'The current inactive connections by local and remote address.',
    'inactive',
  ),
  backend('backend_weight', 'The current backend weight by local and remote address.', 'weight'),
];
