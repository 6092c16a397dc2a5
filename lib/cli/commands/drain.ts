// `ipvs drain -t|-u|--sctp-service VIP:PORT | -f MARK [-6]  -r RIP[:PORT] [--timeout S] [--keep]
// [--netns NAME|PATH]`: weight 0, wait for the real server's connections to end, then delete it.
// Exit codes: 0 drained and deleted; 1 timed out (deleted unless --keep); 2 bad command line;
// 3 kernel refusal (no such service or destination, ...).
import { drain } from '../../apply/drain.js';
import { IpvsError } from '../../core/errors.js';
import type { ServiceKey } from '../../model/types.js';
import { processOutput } from '../io.js';
import { netnsPath } from '../global-options.js';
import { ServiceNames, hostToIpv4 } from '../../ipvsadm/names.js';
import { parseService } from '../../ipvsadm/service-address.js';
import { openIpvs } from '../run-ipvsadm.js';
import { errorMessage } from '../../model/guards.js';

const USAGE =
  'usage: ipvs drain -t|-u|--sctp-service VIP:PORT | -f MARK [-6]  -r RIP[:PORT] [--timeout SECONDS] [--keep] [--netns NAME|PATH]\n';

export async function run(argv: readonly string[]): Promise<number> {
  const io = processOutput;
  const names = ServiceNames.fromFile();
  let service: ServiceKey | undefined;
  let real: string | undefined;
  let timeout = 300;
  let keep = false;
  let netns: string | undefined;
  let ipv6 = false;
  const bad = (message: string): number => {
    io.err(`ipvs drain: ${message}\n${USAGE}`);
    return 2;
  };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    const value = argv[i + 1];
    const protocol = ({ '-t': 'tcp', '-u': 'udp', '--sctp-service': 'sctp' } as const)[word];
    if (protocol) {
      const parsed =
        value === undefined ? undefined : parseService(value, protocol, names, hostToIpv4);
      if (!parsed || parsed.port === undefined)
        return bad(`${word} needs VIP:PORT, got ${value ?? 'nothing'}`);
      service = { protocol, address: parsed.address, port: parsed.port };
      i++;
    } else if (word === '-f') {
      const mark = Number(value);
      if (!Number.isInteger(mark) || mark < 1 || mark > 0xffffffff)
        return bad(`-f needs a fwmark 1-4294967295, got ${value ?? 'nothing'}`);
      service = { fwmark: mark };
      i++;
    } else if (word === '-6') ipv6 = true;
    else if (word === '-r') {
      real = value;
      i++;
    } else if (word === '--timeout') {
      timeout = Number(value);
      if (!Number.isFinite(timeout) || timeout < 0)
        return bad(`--timeout needs seconds, got ${value ?? 'nothing'}`);
      i++;
    } else if (word === '--keep') keep = true;
    else if (word === '--netns') {
      if (!value) return bad('--netns needs a namespace name or path');
      netns = netnsPath(value);
      i++;
    } else if (word === '-h' || word === '--help') {
      io.out(USAGE);
      return 0;
    } else return bad(`unknown argument ${word}`);
  }
  if (!service) return bad('give the service with -t, -u, --sctp-service or -f');
  if (ipv6 && 'fwmark' in service) service = { ...service, family: 'ipv6' };
  if (!real) return bad('give the real server with -r');
  const protocol = 'protocol' in service ? service.protocol : undefined;
  const rs = parseService(real, protocol, names, hostToIpv4);
  if (!rs) return bad(`-r needs RIP[:PORT], got ${real}`);
  const destination = {
    address: rs.address,
    port: rs.port ?? ('port' in service ? service.port : 0),
  };

  const ipvs = await openIpvs(netns, io);
  if (!ipvs) return 3;
  const tty = process.stderr.isTTY;
  try {
    const result = await drain(ipvs, service, destination, {
      timeoutSeconds: timeout,
      deleteOnTimeout: !keep,
      onProgress: (s) => {
        const line = `draining ${real}: ${s.activeConnections} active, ${s.inactiveConnections} inactive, ${s.elapsedSeconds.toFixed(0)}s/${timeout}s`;
        io.err(tty ? `\r${line}\x1b[K` : `${line}\n`);
      },
    });
    if (tty) io.err('\n');
    const what = result.deleted ? 'deleted' : 'kept (weight 0)';
    io.out(
      result.outcome === 'drained'
        ? `drained ${real}: no connections left; ${what}\n`
        : `timeout after ${timeout}s with ${result.activeConnections} active and ${result.inactiveConnections} inactive connections; ${what}\n`,
    );
    return result.outcome === 'drained' ? 0 : 1;
  } catch (error) {
    io.err(`ipvs drain: ${errorMessage(error)}\n`);
    return error instanceof IpvsError ? 3 : 2;
  } finally {
    ipvs.close();
  }
}
