// Per service and per real server: the kernel's 64-bit counters as counters, and the rates its
// estimator keeps (a 2-second average, smoothed) as gauges. Prometheus' rate() over the counters
// is usually what a dashboard wants; the kernel's rates need no second scrape.
import { realServerLabels, REAL_SERVER_LABELS, serviceLabels, SERVICE_LABELS } from './labels.js';
import { counterValue, type Family } from './family.js';
import type { Stats } from '../../model/types.js';

const COUNTERS: readonly (readonly [keyof Stats, string, string])[] = [
  ['conns', 'connections_total', 'Connections scheduled'],
  ['inPkts', 'incoming_packets_total', 'Packets received from clients'],
  ['outPkts', 'outgoing_packets_total', 'Packets sent to clients (seen only by NAT)'],
  ['inBytes', 'incoming_bytes_total', 'Bytes received from clients'],
  ['outBytes', 'outgoing_bytes_total', 'Bytes sent to clients (seen only by NAT)'],
];

const RATES: readonly (readonly [keyof Stats, string, string])[] = [
  ['cps', 'connections_per_second', 'Connections per second'],
  ['inPps', 'incoming_packets_per_second', 'Packets per second from clients'],
  ['outPps', 'outgoing_packets_per_second', 'Packets per second to clients'],
  ['inBps', 'incoming_bytes_per_second', 'Bytes per second from clients'],
  ['outBps', 'outgoing_bytes_per_second', 'Bytes per second to clients'],
];

function perService(field: keyof Stats, name: string, help: string, counter: boolean): Family {
  return {
    name: `ipvs_service_${name}`,
    help: `${help} by the virtual service${counter ? '' : ", the kernel's estimate"}.`,
    type: counter ? 'counter' : 'gauge',
    labelNames: SERVICE_LABELS,
    collect: ({ snapshot }, emit) => {
      for (const service of snapshot.services) {
        if (service.kernel) emit(serviceLabels(service), counterValue(service.kernel.stats[field]));
      }
    },
  };
}

function perRealServer(field: keyof Stats, name: string, help: string, counter: boolean): Family {
  return {
    name: `ipvs_real_server_${name}`,
    help: `${help} by the real server${counter ? '' : ", the kernel's estimate"}.`,
    type: counter ? 'counter' : 'gauge',
    labelNames: REAL_SERVER_LABELS,
    collect: ({ snapshot }, emit) => {
      for (const service of snapshot.services) {
        for (const destination of service.destinations) {
          const kernel = destination.kernel;
          if (kernel)
            emit(realServerLabels(service, destination), counterValue(kernel.stats[field]));
        }
      }
    },
  };
}

export const trafficFamilies: readonly Family[] = [
  ...COUNTERS.map(([field, name, help]) => perService(field, name, help, true)),
  ...RATES.map(([field, name, help]) => perService(field, name, help, false)),
  ...COUNTERS.map(([field, name, help]) => perRealServer(field, name, help, true)),
  ...RATES.map(([field, name, help]) => perRealServer(field, name, help, false)),
];
