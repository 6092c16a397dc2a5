// ipvs exporter: the Prometheus metrics and the status page of one namespace's IPVS alone,
// without health checks (`ipvs serve --listen` serves the same with the checker's view added). Stops cleanly
// on SIGTERM or SIGINT.
import { hostname } from 'node:os';
import { netnsPath } from '../global-options.js';
import { Ipvs } from '../../ipvs.js';
import {
  listenText,
  parseListenAddress,
  type ListenAddress,
} from '../../observe/listen-address.js';
import { startObserving } from '../../observe/observe.js';
import { waitForStopSignal } from '../stop-signal.js';
import { errorMessage } from '../../model/guards.js';

/**
 * The default port. The Prometheus wiki's exporter range (9100-9999, "Default port allocations")
 * has been fully allocated since 2023, so no free port there could be taken; 9742 is the one
 * chosen, and --listen picks another.
 */
export const DEFAULT_PORT = 9742;

export const usage = `usage: ipvs exporter [--listen ADDR] [--netns NAME|PATH]

Serves the Prometheus metrics of IPVS at http://ADDR/metrics: node_exporter's ipvs families
(node_ipvs_*, same names and labels) and ipvs_* per service and real server; and a read-only
status page at http://ADDR/ (live, also as /status.json). One kernel reading at a time, shared
by concurrent scrapers and pages. SIGTERM/SIGINT stop.

options:
  --listen ADDR       HOST:PORT, [IPv6]:PORT or :PORT (host 127.0.0.1); default 127.0.0.1:${DEFAULT_PORT}
                      (9100-9999, Prometheus' exporter port range, is all allocated: ${DEFAULT_PORT}
                      is our choice, pick another here if it is taken)
  --netns NAME|PATH   read IPVS in this network namespace (NAME: /run/netns/NAME)
  -h, --help          this text
`;

interface ExporterOptions {
  listen: ListenAddress;
  netns: string | undefined;
}

function parseArgs(argv: readonly string[]): ExporterOptions {
  const options: ExporterOptions = {
    listen: { host: '127.0.0.1', port: DEFAULT_PORT },
    netns: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const value = argv[i + 1];
    if (arg === '--listen' || arg === '--netns') {
      if (value === undefined || value === '') throw new Error(`${arg} needs a value`);
      i++;
      if (arg === '--listen') options.listen = parseListenAddress(value, '--listen');
      else options.netns = netnsPath(value);
    } else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

export async function run(argv: readonly string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(usage);
    return 0;
  }
  let options: ExporterOptions;
  try {
    options = parseArgs(argv);
  } catch (error) {
    process.stderr.write(`ipvs exporter: ${errorMessage(error)}\n${usage}`);
    return 2;
  }
  let ipvs: Ipvs;
  try {
    ipvs = await Ipvs.open(options.netns === undefined ? {} : { netns: options.netns });
  } catch (error) {
    process.stderr.write(`ipvs exporter: ${errorMessage(error)}\n`);
    return 1;
  }
  try {
    const server = await startObserving({
      listen: options.listen,
      source: ipvs,
      title: `${hostname()} · IPVS`,
    });
    const url = `http://${listenText(server.address)}`;
    process.stderr.write(`ipvs exporter: serving ${url}/metrics and the status page at ${url}/\n`);
    await waitForStopSignal();
    await server.close();
    return 0;
  } catch (error) {
    process.stderr.write(`ipvs exporter: ${errorMessage(error)}\n`);
    return 1;
  } finally {
    ipvs.close();
  }
}
