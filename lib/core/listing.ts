// listServices({ destinations: true }) as a pipeline. IPVS has no dump of every destination, so a
// listing sends one destination dump per service (as ipvsadm does). They go in exchanges of
// DUMPS_PER_EXCHANGE, each answered as one table (NativeDestDumps), and the next exchange is
// queued before this one's rows are built: the kernel dumps slice k + 1 on the addon's worker
// thread while the JS thread builds the rows of slice k (see the top of exchange-queue.ts).
import { constants as osConstants } from 'node:os';
import { destinationDumpRequest } from '../kernel/dump-requests.js';
import { destinationFromKernel, serviceFromKernel } from '../kernel/from-kernel.js';
import type {
  NativeDestDumps,
  NativeRequest,
  NativeServiceReply,
  NativeTable,
} from '../kernel/native.js';
import { yieldToLoop } from '../kernel/exchange-queue.js';
import { destRows, serviceRows } from '../kernel/reply-tables.js';
import { IpvsError } from './errors.js';
import { describeService } from './validate.js';
import type { Destination, Service } from '../model/types.js';

const { ESRCH } = osConstants.errno;

/**
 * Services per destination-dump exchange. Their rows (a service and its destinations each) are
 * what the JS thread builds in one turn of the event loop: in the lab (TCG) 128 services of two
 * destinations take 3-6 ms to build, and the exchange itself runs on the worker meanwhile.
 */
export const DUMPS_PER_EXCHANGE = 128;

type Outcome = { dumps: NativeDestDumps } | { error: unknown };

/** Never left rejected and unwatched while an earlier slice is worked on. */
function outcomeOf(dumps: Promise<NativeDestDumps>): Promise<Outcome> {
  return dumps.then(
    (d): Outcome => ({ dumps: d }),
    (error: unknown): Outcome => ({ error }),
  );
}

/**
 * Every service of a services dump's table, each with its destinations. `dump` sends one
 * exchange of destination dumps; `failure` turns an exchange's rejection into the error to throw.
 */
export async function servicesWithDestinations(
  table: NativeTable,
  dump: (requests: NativeRequest[]) => Promise<NativeDestDumps>,
  failure: (error: unknown) => Error,
): Promise<Service[]> {
  const count = table.count;
  const services: Service[] = [];
  const sliceAt = (from: number) => {
    const natives = serviceRows(table, from, Math.min(count, from + DUMPS_PER_EXCHANGE));
    return { natives, outcome: outcomeOf(dump(natives.map(destinationDumpRequest))) };
  };
  let slice = count > 0 ? sliceAt(0) : undefined;
  for (let from = 0; slice; from += DUMPS_PER_EXCHANGE) {
    const to = from + DUMPS_PER_EXCHANGE;
    // Queued before this slice's rows are built, so that the kernel is never idle meanwhile.
    const next = to < count ? sliceAt(to) : undefined;
    const { natives } = slice;
    // A turn of the loop per slice, also when the kernel answered before the rows were built.
    await yieldToLoop();
    const outcome = await slice.outcome;
    if ('error' in outcome) throw failure(outcome.error);
    addServices(services, natives, outcome.dumps);
    slice = next;
  }
  return services;
}

function addServices(
  services: Service[],
  natives: readonly NativeServiceReply[],
  { errors, ends, dests, messages }: NativeDestDumps,
): void {
  const rows = destRows(dests);
  for (let i = 0; i < natives.length; i++) {
    const native = natives[i] as NativeServiceReply;
    const errno = errors[i] ?? 0;
    // IPVS answers the dump of a service deleted since the services dump with no rows; should a
    // kernel say ESRCH instead, that service is listed without destinations all the same.
    if (errno !== 0 && errno !== ESRCH) {
      const target = `destinations of service ${describeService(native)}`;
      throw new IpvsError(errno, { op: 'listServices', target }, messages?.[i] || undefined);
    }
    const service = serviceFromKernel(native);
    const first = i === 0 ? 0 : (ends[i - 1] ?? 0);
    const end = ends[i] ?? first;
    const destinations = new Array<Destination>(end - first);
    for (let row = first; row < end; row++) {
      destinations[row - first] = destinationFromKernel(rows[row] as (typeof rows)[number]);
    }
    service.destinations = destinations;
    services.push(service);
  }
}
