// ipvs serve CONFIG: the long-running health checker. Checks the real servers of the services in
// CONFIG (YAML or JSON) and keeps the kernel's table in line with their health; logs JSON lines
// on stdout. SIGHUP reloads CONFIG by difference (a bad file is reported and the running config
// kept); SIGTERM or SIGINT stops cleanly, with --flush-on-stop deleting the managed services.
// --listen ADDR serves Prometheus metrics at /metrics and the status page at /, the checker's
// view included.
import { hostname } from 'node:os';
import { netnsPath } from '../global-options.js';
import { Ipvs } from '../../ipvs.js';
import { HealthChecker } from '../../health/checker.js';
import { loadHealthConfig } from '../../health/config-file.js';
import { jsonLinesLogger, type LogLevel } from '../../health/log.js';
import {
  listenText,
  parseListenAddress,
  type ListenAddress,
} from '../../observe/listen-address.js';
import { startObserving } from '../../observe/observe.js';
import type { ObserveServer } from '../../observe/server.js';
import { errorMessage } from '../../model/guards.js';

export const usage = `usage: ipvs serve CONFIG [options]

Checks the real servers declared in CONFIG (YAML or JSON) and keeps IPVS in line with their
health. Logs one JSON object per line on stdout. SIGHUP reloads CONFIG; SIGTERM/SIGINT stop.

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
    config = await loadHealthConfig(options.file);
  } catch (error) {
    process.stderr.write(`ipvs serve: ${errorMessage(error)}\n`);
    return 1;
  }
  if (options.checkOnly) {
    const checks = config.services.reduce(
      (n, s) => n + s.destinations.filter((d) => d.check).length,
      0,
    );
    process.stdout.write(
      `${options.file}: ok, ${config.services.length} services, ${checks} checks\n`,
    );
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
  const checker = new HealthChecker(ipvs, config, { log });
  // The listener is bound first: an address in use is reported before the table is touched.
  let server: ObserveServer | undefined;
  if (options.listen) {
    try {
      server = await startObserving({
        listen: options.listen,
        source: ipvs,
        checker,
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
        await checker.reload(await loadHealthConfig(options.file));
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
