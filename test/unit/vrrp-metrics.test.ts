// `ipvs serve --listen` with VRRP instances: their state, priority and counters in /metrics (exact
// exposition lines) and in the snapshot that /status.json serialises.
import { describe, expect, it } from 'vitest';
import { MetricsExporter } from '../../lib/observe/metrics/exporter.js';
import { Snapshotter } from '../../lib/observe/snapshotter.js';
import type { VrrpInstanceStatus } from '../../lib/vrrp/instance.js';
import { FakeObservedTable } from '../support/fake-observed-table.js';

const instance: VrrpInstanceStatus = {
  name: 'VI_1',
  interface: 'eth0',
  virtualRouterId: 51,
  family: 'ipv4',
  state: 'master',
  priority: 50,
  basePriority: 150,
  virtualAddresses: ['192.168.8.200/24'],
  faults: [],
  counters: {
    advertisementsSent: 12,
    advertisementsReceived: 3,
    sendErrors: 1,
    announcements: 10,
    drops: { ttl: 2, 'unknown-peer': 1 },
  },
};

describe('VRRP in the metrics and the snapshot', () => {
  it('renders the state as one sample per state, the priority and the counters', async () => {
    const snapshotter = new Snapshotter(new FakeObservedTable(), undefined, {
      status: () => [instance],
    });
    const { body } = await new MetricsExporter(snapshotter).scrape();
    const lines = body.split('\n').filter((l) => l.startsWith('ipvs_vrrp_'));
    expect(lines).toEqual([
      'ipvs_vrrp_state{instance="VI_1",interface="eth0",vrid="51",state="initialize"} 0',
      'ipvs_vrrp_state{instance="VI_1",interface="eth0",vrid="51",state="backup"} 0',
      'ipvs_vrrp_state{instance="VI_1",interface="eth0",vrid="51",state="master"} 1',
      'ipvs_vrrp_state{instance="VI_1",interface="eth0",vrid="51",state="fault"} 0',
      'ipvs_vrrp_priority{instance="VI_1"} 50',
      'ipvs_vrrp_advertisements_sent_total{instance="VI_1"} 12',
      'ipvs_vrrp_advertisements_received_total{instance="VI_1"} 3',
      'ipvs_vrrp_send_errors_total{instance="VI_1"} 1',
      'ipvs_vrrp_announcements_total{instance="VI_1"} 10',
      'ipvs_vrrp_dropped_total{instance="VI_1",reason="ttl"} 2',
      'ipvs_vrrp_dropped_total{instance="VI_1",reason="unknown-peer"} 1',
    ]);
    expect((await snapshotter.read()).vrrp).toEqual([instance]);
  });

  it('shows no VRRP family samples and no vrrp field without instances', async () => {
    const snapshotter = new Snapshotter(new FakeObservedTable());
    const { body } = await new MetricsExporter(snapshotter).scrape();
    expect(body.split('\n').filter((l) => /^ipvs_vrrp_\w+\{/.test(l))).toEqual([]);
    expect('vrrp' in (await snapshotter.read())).toBe(false);
  });
});
