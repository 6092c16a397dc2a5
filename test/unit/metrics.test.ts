// The metric families, rendered from the fake observed table: exact exposition lines for a small
// table (node_exporter's families with its label values; ours by identity), fwmark and IPv6
// services, label escaping, health, daemons, OpenMetrics, and one reading per scrape.
import { describe, expect, it } from 'vitest';
import { MetricsExporter, negotiate } from '../../lib/observe/metrics/exporter.js';
import { Snapshotter } from '../../lib/observe/snapshotter.js';
import type { HealthSource } from '../../lib/observe/snapshot.js';
import type { Destination, Service } from '../../lib/index.js';
import { FakeObservedTable } from '../support/fake-observed-table.js';
import { zeroStats } from '../support/stats.js';

const WEB = 'tcp 192.168.8.200:80';

/** The fake table, plus services it cannot hold (fwmark), as a kernel would list them. */
class Table extends FakeObservedTable {
  extra: Service[] = [];
  dumps = 0;
  override async listServices(options: { destinations?: boolean } = {}): Promise<Service[]> {
    this.dumps++;
    return [...(await super.listServices(options)), ...this.extra];
  }
}

function destination(address: string, port: number, weight: number): Destination {
  return {
    address,
    port,
    family: address.includes(':') ? 'ipv6' : 'ipv4',
    forward: 'route',
    weight,
    upperThreshold: 0,
    lowerThreshold: 0,
    activeConnections: 1,
    inactiveConnections: 2,
    persistentConnections: 0,
    stats: { ...zeroStats, conns: 5n },
  };
}

function fwmarkService(fwmark: number, family: 'ipv4' | 'ipv6', d: Destination[]): Service {
  return {
    fwmark,
    family,
    scheduler: 'wlc',
    persistence: 0,
    netmask: family === 'ipv4' ? '255.255.255.255' : 128,
    onePacket: false,
    schedulerFlags: [],
    flags: [],
    stats: zeroStats,
    destinations: d,
  };
}

async function smallTable(): Promise<Table> {
  const t = new Table();
  await t.batch((b) => {
    b.addService({ protocol: 'tcp', address: '192.168.8.200', port: 80 });
    b.addDestination(
      { protocol: 'tcp', address: '192.168.8.200', port: 80 },
      { address: '10.0.0.2', port: 8080, weight: 3 },
    );
  });
  t.setCounters(WEB, '10.0.0.2:8080', {
    stats: { conns: 7n, inPkts: 70n, outPkts: 60n, inBytes: 9000n, outBytes: 2n ** 40n, cps: 2n },
    active: 4,
    inactive: 1,
  });
  t.totals = { ...zeroStats, conns: 26n, inPkts: 1000n, outBytes: 123n };
  return t;
}

async function scrape(t: Table, health?: HealthSource, accept?: string): Promise<string> {
  return (await new MetricsExporter(new Snapshotter(t, health)).scrape(accept)).body;
}

/** The sample lines of one family. */
const samples = (text: string, name: string): string[] =>
  text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

describe('metrics', () => {
  it('renders node_exporter’s families with its names, help, types and label values', async () => {
    const text = await scrape(await smallTable());
    expect(text).toContain(
      [
        '# HELP node_ipvs_connections_total The total number of connections made.',
        '# TYPE node_ipvs_connections_total counter',
        'node_ipvs_connections_total 26',
      ].join('\n'),
    );
    expect(samples(text, 'node_ipvs_incoming_packets_total')).toEqual([
      'node_ipvs_incoming_packets_total 1000',
    ]);
    expect(samples(text, 'node_ipvs_outgoing_bytes_total')).toEqual([
      'node_ipvs_outgoing_bytes_total 123',
    ]);
    const backend =
      '{local_address="192.168.8.200",local_port="80",remote_address="10.0.0.2",remote_port="8080",proto="TCP",local_mark=""}';
    expect(text).toContain(
      [
        '# HELP node_ipvs_backend_connections_active The current active connections by local and remote address.',
        '# TYPE node_ipvs_backend_connections_active gauge',
        `node_ipvs_backend_connections_active${backend} 4`,
      ].join('\n'),
    );
    expect(samples(text, 'node_ipvs_backend_connections_inactive')).toEqual([
      `node_ipvs_backend_connections_inactive${backend} 1`,
    ]);
    expect(samples(text, 'node_ipvs_backend_weight')).toEqual([
      `node_ipvs_backend_weight${backend} 3`,
    ]);
  });

  it('renders per service and per real server counters and rates, by identity', async () => {
    const text = await scrape(await smallTable());
    const server = '{service="tcp 192.168.8.200:80",real_server="10.0.0.2:8080"}';
    expect(text).toContain(
      [
        '# HELP ipvs_real_server_outgoing_bytes_total Bytes sent to clients (seen only by NAT) by the real server.',
        '# TYPE ipvs_real_server_outgoing_bytes_total counter',
        `ipvs_real_server_outgoing_bytes_total${server} 1099511627776`,
      ].join('\n'),
    );
    expect(samples(text, 'ipvs_real_server_connections_total')).toEqual([
      `ipvs_real_server_connections_total${server} 7`,
    ]);
    expect(samples(text, 'ipvs_real_server_connections_per_second')).toEqual([
      `ipvs_real_server_connections_per_second${server} 2`,
    ]);
    expect(text).toContain('# TYPE ipvs_real_server_connections_per_second gauge');
    // The service's own counters, which the kernel (and the fake) keep as its servers' sum.
    expect(samples(text, 'ipvs_service_connections_total')).toEqual([
      'ipvs_service_connections_total{service="tcp 192.168.8.200:80"} 7',
    ]);
    expect(samples(text, 'ipvs_real_server_weight')).toEqual([
      `ipvs_real_server_weight${server} 3`,
    ]);
    // No checker: no health samples, but the families are declared.
    expect(samples(text, 'ipvs_real_server_health')).toEqual([]);
    expect(text).toContain('# TYPE ipvs_real_server_health gauge');
  });

  it('labels fwmark services as node_exporter does, and sums backends whose labels coincide', async () => {
    const t = await smallTable();
    t.extra = [
      fwmarkService(26, 'ipv4', [destination('10.0.0.9', 0, 2)]),
      fwmarkService(26, 'ipv6', [destination('10.0.0.9', 0, 5)]),
    ];
    const text = await scrape(t);
    const labels =
      '{local_address="",local_port="0",remote_address="10.0.0.9",remote_port="0",proto="FWM",local_mark="0000001A"}';
    expect(samples(text, 'node_ipvs_backend_weight')).toContain(
      `node_ipvs_backend_weight${labels} 7`,
    );
    expect(samples(text, 'node_ipvs_backend_connections_inactive')).toContain(
      `node_ipvs_backend_connections_inactive${labels} 4`,
    );
    // Ours keep the two services apart.
    expect(samples(text, 'ipvs_real_server_weight')).toEqual(
      expect.arrayContaining([
        'ipvs_real_server_weight{service="fwmark 26",real_server="10.0.0.9:0"} 2',
        'ipvs_real_server_weight{service="fwmark 26 (ipv6)",real_server="10.0.0.9:0"} 5',
      ]),
    );
  });

  it('writes IPv6 addresses compressed, in brackets only in our identities', async () => {
    const t = new Table();
    await t.batch((b) => {
      b.addService({ protocol: 'udp', address: '2001:db8::200', port: 53 });
      b.addDestination(
        { protocol: 'udp', address: '2001:db8::200', port: 53 },
        { address: '2001:db8::2', port: 53, weight: 1 },
      );
    });
    const text = await scrape(t);
    expect(samples(text, 'node_ipvs_backend_weight')).toEqual([
      'node_ipvs_backend_weight{local_address="2001:db8::200",local_port="53",remote_address="2001:db8::2",remote_port="53",proto="UDP",local_mark=""} 1',
    ]);
    expect(samples(text, 'ipvs_real_server_weight')).toEqual([
      'ipvs_real_server_weight{service="udp [2001:db8::200]:53",real_server="[2001:db8::2]:53"} 1',
    ]);
  });

  it('escapes label values', async () => {
    const t = await smallTable();
    t.daemons = [
      {
        state: 'master',
        interface: 'we"ird\\name\n',
        syncId: 9,
        maxLength: 1472,
        port: 8848,
        ttl: 1,
      },
    ];
    const text = await scrape(t);
    expect(samples(text, 'ipvs_sync_daemon_sync_id')).toEqual([
      'ipvs_sync_daemon_sync_id{role="master",interface="we\\"ird\\\\name\\n"} 9',
    ]);
    expect(samples(text, 'ipvs_sync_daemon_running')).toEqual([
      'ipvs_sync_daemon_running{role="master"} 1',
      'ipvs_sync_daemon_running{role="backup"} 0',
    ]);
  });

  it('shows the checker’s view: health as a state set, failures, last check, weights, quorum', async () => {
    const t = await smallTable();
    const health: HealthSource = {
      status: () => [
        {
          service: WEB,
          quorumMet: false,
          healthyWeight: 0,
          sorryServerActive: true,
          destinations: [
            {
              destination: '10.0.0.2:8080',
              health: 'down',
              weight: 0,
              configuredWeight: 3,
              failures: 4,
              lastCheck: {
                ok: false,
                detail: 'connect ECONNREFUSED',
                at: 1_700_000_000_500,
                seconds: 0.25,
              },
            },
            {
              destination: '10.0.0.3:8080',
              health: 'unknown',
              weight: null,
              configuredWeight: 1,
              failures: 0,
              lastCheck: undefined,
            },
          ],
        },
      ],
    };
    const text = await scrape(t, health);
    const two = '{service="tcp 192.168.8.200:80",real_server="10.0.0.2:8080"';
    const three = '{service="tcp 192.168.8.200:80",real_server="10.0.0.3:8080"';
    expect(samples(text, 'ipvs_real_server_health')).toEqual([
      `ipvs_real_server_health${two},state="up"} 0`,
      `ipvs_real_server_health${two},state="down"} 1`,
      `ipvs_real_server_health${two},state="unknown"} 0`,
      `ipvs_real_server_health${three},state="up"} 0`,
      `ipvs_real_server_health${three},state="down"} 0`,
      `ipvs_real_server_health${three},state="unknown"} 1`,
    ]);
    expect(samples(text, 'ipvs_real_server_check_failures_consecutive')).toEqual([
      `ipvs_real_server_check_failures_consecutive${two}} 4`,
      `ipvs_real_server_check_failures_consecutive${three}} 0`,
    ]);
    expect(samples(text, 'ipvs_real_server_last_check_duration_seconds')).toEqual([
      `ipvs_real_server_last_check_duration_seconds${two}} 0.25`,
    ]);
    expect(samples(text, 'ipvs_real_server_last_check_success')).toEqual([
      `ipvs_real_server_last_check_success${two}} 0`,
    ]);
    expect(samples(text, 'ipvs_real_server_last_check_timestamp_seconds')).toEqual([
      `ipvs_real_server_last_check_timestamp_seconds${two}} 1700000000.5`,
    ]);
    expect(samples(text, 'ipvs_real_server_configured_weight')).toEqual([
      `ipvs_real_server_configured_weight${two}} 3`,
      `ipvs_real_server_configured_weight${three}} 1`,
    ]);
    // The kernel's weight: only the real server the kernel has.
    expect(samples(text, 'ipvs_real_server_weight')).toEqual([`ipvs_real_server_weight${two}} 3`]);
    expect(samples(text, 'ipvs_service_quorum_met')).toEqual([
      'ipvs_service_quorum_met{service="tcp 192.168.8.200:80"} 0',
    ]);
    expect(samples(text, 'ipvs_service_sorry_server_active')).toEqual([
      'ipvs_service_sorry_server_active{service="tcp 192.168.8.200:80"} 1',
    ]);
  });

  it('reads the kernel once per scrape, and shares one reading between concurrent scrapes', async () => {
    const t = await smallTable();
    const exporter = new MetricsExporter(new Snapshotter(t));
    await exporter.scrape();
    expect(t.dumps).toBe(1);
    const [a, b] = await Promise.all([exporter.scrape(), exporter.scrape()]);
    expect(t.dumps).toBe(2);
    expect(a.body).toBe(
      b.body.replace(
        /(last_scrape_duration_seconds )\S+/,
        `$1${/last_scrape_duration_seconds (\S+)/.exec(a.body)?.[1] ?? ''}`,
      ),
    );
  });

  it('counts failed readings and shows the count in the next scrape', async () => {
    const t = await smallTable();
    const exporter = new MetricsExporter(new Snapshotter(t));
    const listServices = t.listServices.bind(t);
    t.listServices = () => Promise.reject(new Error('netlink: EPERM'));
    await expect(exporter.scrape()).rejects.toThrow('EPERM');
    t.listServices = listServices;
    const { body } = await exporter.scrape();
    expect(samples(body, 'ipvs_exporter_scrape_errors_total')).toEqual([
      'ipvs_exporter_scrape_errors_total 1',
    ]);
    expect(body).toMatch(/^ipvs_exporter_last_scrape_duration_seconds \d/m);
    expect(body).toMatch(/^ipvs_exporter_read_duration_seconds \d/m);
  });

  it('speaks OpenMetrics when asked: counters’ families without _total, samples with, # EOF', async () => {
    const accept =
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    expect(negotiate(accept)).toMatch(/^application\/openmetrics-text/);
    expect(negotiate(undefined)).toMatch(/^text\/plain; version=0.0.4/);
    const text = await scrape(await smallTable(), undefined, accept);
    expect(text).toContain(
      [
        '# HELP node_ipvs_connections The total number of connections made.',
        '# TYPE node_ipvs_connections counter',
        'node_ipvs_connections_total 26',
      ].join('\n'),
    );
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    expect(text).not.toContain('\n\n');
  });

  it('renders a family larger than one slice whole, with one # HELP', async () => {
    const t = new Table();
    const base = fwmarkService(1, 'ipv4', [destination('10.2.0.1', 80, 1)]);
    t.extra = Array.from({ length: 2500 }, (_, i): Service => ({
      ...base,
      fwmark: undefined,
      protocol: 'tcp',
      address: `10.1.${i >> 8}.${i & 255}`,
      port: 80,
    }));
    const text = await scrape(t);
    expect(samples(text, 'node_ipvs_backend_weight')).toHaveLength(2500);
    expect(text.match(/^# HELP node_ipvs_backend_weight /gm)).toHaveLength(1);
    expect(new Set(samples(text, 'ipvs_service_connections_total')).size).toBe(2500);
  });
});
