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
import { hostname } from 'node:os';
import { netnsPath } from '../global-options.js';
import { Ipvs } from '../../ipvs.js';
import { HealthChecker } from '../../health/checker.js';
import { DEFAULT_NETNS, NetNamespace } from '../../host/net-config.js';
import type { VrrpInstanceConfig } from '../../vrrp/config.js';
import { VrrpInstances } from '../../vrrp/instances.js';
import { nativeVrrpNetwork } from '../../vrrp/native-network.js';
import { loadServeConfig } from '../../fleet/serve-config.js';
import { FleetRouting } from '../../fleet/routing.js';
import { jsonLinesLogger, type LogLevel } from '../../health/log.js';
import {
  listenText,
  parseListenAddress,
  type ListenAddress,
} from '../../observe/listen-address.js';
import type { ObserveServer } from '../../observe/server.js';
import { errorMessage } from '../../model/guards.js';

export const usage = `usage: ipvs serve CONFIG [options]

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
  --check             validate CONFIG, print a summary and exit
  -h, --help          this text
`;

interface ServeOptions {
  file: string;
  netns: string | undefined;
  flushOnStop: boolean | undefined;
  logLevel: LogLevel;
  checkOnly: boolean;
  listen: ListenAddress | undefined;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

function parseArgs(argv: readonly string[]): ServeOptions | string {
  const options: ServeOptions = {
    file: '',
    netns: undefined,
    flushOnStop: undefined,
    logLevel: 'info',
    checkOnly: false,
    listen: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const value = (): string | undefined => argv[++i];
    if (arg === '--netns') {
      const path = value();
      if (!path) return '--netns needs a path';
      options.netns = netnsPath(path);
    } else if (arg === '--listen') {
      const address = value();
      if (!address) return '--listen needs an address';
      try {
        options.listen = parseListenAddress(address, '--listen');
      } catch (error) {
        return errorMessage(error);
      }
    } else if (arg === '--flush-on-stop') options.flushOnStop = true;
    else if (arg === '--check') options.checkOnly = true;
    else if (arg === '--log-level') {
      const level = value();
      if (!LEVELS.includes(level as LogLevel))
        return `--log-level must be one of ${LEVELS.join(', ')}`;
      options.logLevel = level as LogLevel;
    } else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else if (options.file) return `one CONFIG only (got ${options.file} and ${arg})`;
    else options.file = arg;
  }
  return options.file ? options : 'CONFIG is missing';
}

export async function run(argv: readonly string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(usage);
    return 0;
  }
  const options = parseArgs(argv);
  if (typeof options === 'string') {
    process.stderr.write(`ipvs serve: ${options}\n${usage}`);
    return 2;
  }
  let config;
  try {
    config = await loadServeConfig(options.file);
  } catch (error) {
    process.stderr.write(`ipvs serve: ${errorMessage(error)}\n`);
    return 1;
  }
  if (options.checkOnly) {
    const { services } = config.health;
    const checks = services.reduce((n, s) => n + s.destinations.filter((d) => d.check).length, 0);
    const vrrp = config.vrrp.length > 0 ? `, ${config.vrrp.length} vrrp instances` : '';
    process.stdout.write(
      `${options.file}: ok, ${services.length} services, ${checks} checks${vrrp}\n`,
    );
    for (const instance of config.vrrp) process.stdout.write(`  ${vrrpSummary(instance)}\n`);
    for (const line of fleetSummary(config)) process.stdout.write(`  ${line}\n`);
    return 0;
  }

  let ipvs: Ipvs;
  try {
    ipvs = await Ipvs.open(options.netns === undefined ? {} : { netns: options.netns });
  } catch (error) {
    process.stderr.write(`ipvs serve: ${errorMessage(error)}\n`);
    return 1;
  }
  const log = jsonLinesLogger(process.stdout, options.logLevel);
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
      ipvs.close();
      process.stderr.write(`ipvs serve: --listen: ${errorMessage(error)}\n`);
      return 1;
    }
  }
  try {
    await checker.start();
  } catch (error) {
    await server?.close();
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

  // Reloads run one after another; a stop waits for the one under way.
  let reloading: Promise<void> = Promise.resolve();
  const onHangup = (): void => {
    reloading = reloading.then(async () => {
      try {
        const next = await loadServeConfig(options.file);
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
function fleetSummary(config: Awaited<ReturnType<typeof loadServeConfig>>): string[] {
  const lines = config.consistentHashing
    ? ['consistent hashing: mh with mh-fallback, destinations in canonical order, sloppy_tcp/sctp']
    : [];
  for (const a of config.bgp?.announce ?? [])
    lines.push(
      `bgp ${a.prefix.text}: AS ${config.bgp?.asn ?? ''}, while ${a.when} of ${a.services.join(', ')} ${a.services.length > 1 ? 'have' : 'has'} quorum`,
    );
  return lines;
}
