// ipvs serve CONFIG: the long-running health checker. Checks the real servers of the services in
// CONFIG (YAML or JSON) and keeps the kernel's table in line with their health; logs JSON lines
// on stdout. SIGHUP reloads CONFIG by difference (a bad file is reported and the running config
// kept); SIGTERM or SIGINT stops cleanly, with --flush-on-stop deleting the managed services.
// --listen ADDR serves Prometheus metrics at /metrics and the status page at /, the checker's
// view included. The config's `vrrp` list runs VRRP instances (lib/vrrp) after the checker has
// started, fed its quorum changes; they stop first on SIGTERM (priority 0: a backup takes over
// at once), before the checker and --flush-on-stop. The config's `bgp` section has FRR announce
// the VIPs while their services have quorum (lib/fleet/routing.ts), withdrawn on SIGTERM before
// the checker stops; `consistentHashing: true` is the mh preset for directors behind ECMP.
// With --etcd, the services also come from the fleet's shared state under --prefix (lib/fleet:
// shared-state.ts), followed and applied by difference; CONFIG then holds what is local.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Ipvs } from '../../ipvs.js';
import { HealthChecker } from '../../health/checker.js';
import { DEFAULT_NETNS, NetNamespace } from '../../host/net-config.js';
import type { VrrpInstanceConfig } from '../../vrrp/config.js';
import { VrrpInstances } from '../../vrrp/instances.js';
import { nativeVrrpNetwork } from '../../vrrp/native-network.js';
import { loadServeConfig, type ServeConfig } from '../../fleet/serve-config.js';
import type { LocalConfigText } from '../../fleet/desired-state.js';
import { FleetMember } from '../../fleet/fleet-member.js';
import { FleetRouting } from '../../fleet/routing.js';
import { jsonLinesLogger } from '../../health/log.js';
import { listenText } from '../../observe/listen-address.js';
import { parseServeArgs } from './serve-options.js';
import type { ObserveServer } from '../../observe/server.js';
import { errorMessage } from '../../model/guards.js';

export const usage = `usage: ipvs serve CONFIG [options]
       ipvs serve [CONFIG] --etcd URL[,URL...] --prefix PREFIX [options]

Checks the real servers declared in CONFIG (YAML or JSON) and keeps IPVS in line with their
health; runs the VRRP instances of CONFIG's \`vrrp\` list (director failover). Logs one JSON
object per line on stdout. SIGHUP reloads CONFIG; SIGTERM/SIGINT stop (a VRRP master hands over
at once).

options:
  --netns NAME|PATH   manage IPVS in this network namespace (NAME: /run/netns/NAME)
  --flush-on-stop     delete the managed services when stopping (overrides the config)
  --log-level LEVEL   debug (every check), info (default), warn or error
  --listen ADDR       serve Prometheus metrics at http://ADDR/metrics and the status page at
                      http://ADDR/ (as ipvs exporter, with each real server's health):
                      HOST:PORT, [IPv6]:PORT or :PORT (host 127.0.0.1). Off by default
  --check             validate CONFIG (with --etcd: merged with the shared services), print a
                      summary and exit
  --etcd URLS         also take the services from etcd (comma-separated client URLs), under
                      --prefix PREFIX: PREFIX/services/<service> holds one service each (ipvs
                      fleet push writes them); followed and applied by difference, a revision
                      that does not validate is refused and the last good one kept. CONFIG then
                      holds what is local (vrrp, local services, reconcileInterval)
  --prefix PREFIX     the fleet's key prefix in etcd (with --etcd)
  --name NAME         this director's status key, PREFIX/directors/NAME (default: host name)
  --status-ttl SEC    the status key's lease: a dead director's entry goes after it (default 10)
  -h, --help          this text
`;

export async function run(argv: readonly string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(usage);
    return 0;
  }
  const options = parseServeArgs(argv);
  if (typeof options === 'string') {
    process.stderr.write(`ipvs serve: ${options}\n${usage}`);
    return 2;
  }
  const log = jsonLinesLogger(process.stdout, options.logLevel);
  let config: ServeConfig;
  let fleet: FleetMember | undefined;
  try {
    if (options.fleet) {
      // Waits for etcd: a director starts with what the fleet wants.
      ({ member: fleet, config } = await FleetMember.join({
        ...options.fleet,
        local: await readLocal(options.file),
        log: options.checkOnly ? () => undefined : log,
        waitForStore: !options.checkOnly,
      }));
    } else config = await loadServeConfig(options.file ?? '');
  } catch (error) {
    process.stderr.write(`ipvs serve: ${errorMessage(error)}\n`);
    return 1;
  }
  if (options.checkOnly) {
    await fleet?.stop();
    const { services } = config.health;
    const checks = services.reduce((n, s) => n + s.destinations.filter((d) => d.check).length, 0);
    const vrrp = config.vrrp.length > 0 ? `, ${config.vrrp.length} vrrp instances` : '';
    const source = [options.file, options.fleet && `etcd ${options.fleet.prefix}`];
    process.stdout.write(
      `${source.filter(Boolean).join(' + ')}: ok, ${services.length} services, ${checks} checks${vrrp}\n`,
    );
    for (const instance of config.vrrp) process.stdout.write(`  ${vrrpSummary(instance)}\n`);
    for (const line of fleetSummary(config)) process.stdout.write(`  ${line}\n`);
    return 0;
  }

  let ipvs: Ipvs;
  try {
    ipvs = await Ipvs.open(options.netns === undefined ? {} : { netns: options.netns });
  } catch (error) {
    await fleet?.stop();
    process.stderr.write(`ipvs serve: ${errorMessage(error)}\n`);
    return 1;
  }
  const checker = new HealthChecker(ipvs, config.health, { log });
  const vrrp = new VrrpInstances({
    network: nativeVrrpNetwork,
    host: new NetNamespace(options.netns ?? DEFAULT_NETNS),
    ipvs,
    log,
  });
  // The listener is bound first: an address in use is reported before the table is touched.
  let server: ObserveServer | undefined;
  if (options.listen) {
    try {
      // Loaded only when asked for: the metrics client is the costliest import of the command,
      // and a director that serves no metrics should not wait for it at every start.
      const { startObserving } = await import('../../observe/observe.js');
      server = await startObserving({
        listen: options.listen,
        source: ipvs,
        checker,
        ...(config.vrrp.length > 0 ? { vrrp } : {}),
        title: `${hostname()} · IPVS`,
      });
    } catch (error) {
      await fleet?.stop();
      ipvs.close();
      process.stderr.write(`ipvs serve: --listen: ${errorMessage(error)}\n`);
      return 1;
    }
  }
  try {
    await checker.start();
  } catch (error) {
    await server?.close();
    await fleet?.stop();
    ipvs.close();
    process.stderr.write(`ipvs serve: could not start: ${errorMessage(error)}\n`);
    return 1;
  }
  for (const service of checker.status())
    if (!service.quorumMet) vrrp.quorumChanged(service.service, false);
  const onQuorum = (change: { service: string; met: boolean }): void => {
    vrrp.quorumChanged(change.service, change.met);
  };
  checker.on('quorum', onQuorum);
  try {
    await vrrp.start(config.vrrp);
  } catch (error) {
    await checker.stop();
    await server?.close();
    await fleet?.stop();
    ipvs.close();
    process.stderr.write(`ipvs serve: could not start VRRP: ${errorMessage(error)}\n`);
    return 1;
  }
  let routing: FleetRouting;
  try {
    routing = await FleetRouting.start(config, {
      netns: new NetNamespace(options.netns ?? DEFAULT_NETNS),
      checker,
      log,
    });
  } catch (error) {
    await vrrp.stop();
    await checker.stop();
    await server?.close();
    await fleet?.stop();
    ipvs.close();
    process.stderr.write(`ipvs serve: could not start the fleet routing: ${errorMessage(error)}\n`);
    return 1;
  }
  if (server) {
    log({
      time: new Date().toISOString(),
      level: 'info',
      event: 'listening',
      url: `http://${listenText(server.address)}/`,
    });
  }

  // From here on, each good shared revision is applied as a reload.
  fleet?.follow(
    async (next) => {
      await checker.reload(next.health);
      await vrrp.reload(next.vrrp);
      await routing.refresh(next);
    },
    () => checker.status(),
  );

  // Reloads run one after another; a stop waits for the one under way.
  let reloading: Promise<void> = Promise.resolve();
  const onHangup = (): void => {
    reloading = reloading.then(async () => {
      try {
        if (fleet) {
          await fleet.reloadLocal(await readLocal(options.file));
          return;
        }
        const next = await loadServeConfig(options.file ?? '');
        await checker.reload(next.health);
        await vrrp.reload(next.vrrp);
        await routing.refresh(next);
      } catch (error) {
        log({
          time: new Date().toISOString(),
          level: 'error',
          event: 'reload-failed',
          file: options.file,
          error: errorMessage(error),
        });
      }
    });
  };
  let onStop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => (onStop = resolve));
  process.on('SIGHUP', onHangup);
  process.once('SIGTERM', onStop);
  process.once('SIGINT', onStop);
  try {
    const signal = await stopped;
    log({ time: new Date().toISOString(), level: 'info', event: 'stopping', signal });
    await server?.close();
    await reloading;
    await fleet?.stop();
    await vrrp.stop();
    await routing.stop();
    checker.off('quorum', onQuorum);
    await checker.stop(options.flushOnStop === undefined ? {} : { flush: options.flushOnStop });
    return 0;
  } catch (error) {
    process.stderr.write(`ipvs serve: ${errorMessage(error)}\n`);
    return 1;
  } finally {
    process.off('SIGHUP', onHangup);
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    ipvs.close();
  }
}

/** The local config's text, when there is a CONFIG (with --etcd it may hold everything local). */
async function readLocal(file: string | undefined): Promise<LocalConfigText | undefined> {
  return file === undefined ? undefined : { file, text: await readFile(file, 'utf8') };
}

/** One line of --check's output: what an instance will run with. */
function vrrpSummary(c: VrrpInstanceConfig): string {
  const sync = c.syncDaemon
    ? `sync on ${c.syncDaemon.interface} id ${c.syncDaemon.syncId ?? 0}`
    : 'no sync';
  const peers = c.unicastPeers.length > 0 ? `unicast to ${c.unicastPeers.join(' ')}` : 'multicast';
  const tracked = c.trackServices.map((t) => `${t.service} ${t.fault ? 'fault' : t.weight}`);
  return [
    `vrrp ${c.name}: ${c.interface} VRID ${c.virtualRouterId} priority ${c.priority} v${c.version}`,
    `every ${c.advertisementIntervalMs / 1000}s`,
    c.preempt ? `preempt after ${c.preemptDelayMs / 1000}s` : 'no preempt',
    c.virtualAddresses.map((v) => `${v.address}/${v.prefixLength}`).join(' '),
    peers,
    sync,
    ...(tracked.length > 0 ? [`tracking ${tracked.join(', ')}`] : []),
  ].join(', ');
}

/** --check's lines for the fleet part: the preset, and each announced prefix with its gate. */
function fleetSummary(config: ServeConfig): string[] {
  const lines = config.consistentHashing
    ? ['consistent hashing: mh with mh-fallback, destinations in canonical order, sloppy_tcp/sctp']
    : [];
  for (const a of config.bgp?.announce ?? [])
    lines.push(
      `bgp ${a.prefix.text}: AS ${config.bgp?.asn ?? ''}, while ${a.when} of ${a.services.join(', ')} ${a.services.length > 1 ? 'have' : 'has'} quorum`,
    );
  return lines;
}
