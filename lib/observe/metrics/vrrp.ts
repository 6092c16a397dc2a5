// `ipvs serve`'s VRRP instances: the state (one sample per state, 1 for the current one, as
// node_exporter's enum-like gauges), the priority advertised now, and the counters: advertisements
// sent and received, send errors, announcements, and refused datagrams by reason.
import type { VrrpInstanceStatus } from '../../vrrp/instance.js';
import type { VrrpState } from '../../vrrp/state-machine.js';
import { flag, type Emit, type Family, type ScrapeView } from './family.js';

const STATES: readonly VrrpState[] = ['initialize', 'backup', 'master', 'fault'];

function each(view: ScrapeView, emit: (instance: VrrpInstanceStatus) => void): void {
  for (const instance of view.snapshot.vrrp ?? []) emit(instance);
}

function counter(
  name: string,
  help: string,
  value: (instance: VrrpInstanceStatus) => number,
): Family {
  return {
    name,
    help,
    type: 'counter',
    labelNames: ['instance'],
    collect: (view, emit: Emit) => {
      each(view, (i) => {
        emit({ instance: i.name }, value(i));
      });
    },
  };
}

export const vrrpFamilies: readonly Family[] = [
  {
    name: 'ipvs_vrrp_state',
    help: 'The VRRP instance is in this state (1) or not (0).',
    type: 'gauge',
    labelNames: ['instance', 'interface', 'vrid', 'state'],
    collect: (view, emit) => {
      each(view, (i) => {
        for (const state of STATES)
          emit(
            { instance: i.name, interface: i.interface, vrid: String(i.virtualRouterId), state },
            flag(i.state === state),
          );
      });
    },
  },
  {
    name: 'ipvs_vrrp_priority',
    help: 'The priority the VRRP instance advertises now (tracked services lower it).',
    type: 'gauge',
    labelNames: ['instance'],
    collect: (view, emit) => {
      each(view, (i) => {
        emit({ instance: i.name }, i.priority);
      });
    },
  },
  counter(
    'ipvs_vrrp_advertisements_sent_total',
    'VRRP advertisements sent (one per destination: the group or each unicast peer).',
    (i) => i.counters.advertisementsSent,
  ),
  counter(
    'ipvs_vrrp_advertisements_received_total',
    'VRRP advertisements received and accepted.',
    (i) => i.counters.advertisementsReceived,
  ),
  counter(
    'ipvs_vrrp_send_errors_total',
    'VRRP advertisements the socket refused to send.',
    (i) => i.counters.sendErrors,
  ),
  counter(
    'ipvs_vrrp_announcements_total',
    'Gratuitous ARPs or unsolicited neighbour advertisements sent.',
    (i) => i.counters.announcements,
  ),
  {
    name: 'ipvs_vrrp_dropped_total',
    help: 'Received VRRP datagrams refused by the RFC checks, by reason; never acted on.',
    type: 'counter',
    labelNames: ['instance', 'reason'],
    collect: (view, emit) => {
      each(view, (i) => {
        for (const [reason, count] of Object.entries(i.counters.drops))
          emit({ instance: i.name, reason }, count);
      });
    },
  },
];
