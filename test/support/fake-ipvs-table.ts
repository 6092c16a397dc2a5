// An in-memory IPVS table with the calls the health checker makes (listServices,
// listDestinations, batch), for unit tests of the checker's logic on any machine. It keeps what a
// kernel keeps for these tests (scheduler; address, port, forwarding, weight, thresholds) and
// refuses what a kernel refuses here (EEXIST, ESRCH, ENOENT), per operation as batch() does.
import { zeroStats } from './stats.js';
import { constants as osConstants } from 'node:os';
import type { Batch, BatchBuild, BatchResult } from '../../lib/core/batch.js';
import { IpvsError } from '../../lib/core/errors.js';
import type { Operation } from '../../lib/core/operation.js';
import type {
  Destination,
  DestinationKey,
  DestinationSpec,
  Service,
  ServiceKey,
  ServiceSpec,
} from '../../lib/index.js';
import type { IpvsTable } from '../../lib/health/index.js';
import { forwardMethod } from '../../lib/core/validate.js';

const { EEXIST, ESRCH, ENOENT } = osConstants.errno;

function serviceId(key: ServiceKey): string {
  return 'fwmark' in key ? `fwmark ${key.fwmark}` : `${key.protocol} ${key.address}:${key.port}`;
}

export class FakeIpvsTable implements IpvsTable {
  readonly services = new Map<
    string,
    { scheduler: string; key: ServiceKey; destinations: Map<string, Destination> }
  >();
  /** Every batch sent, as "op target" lines. */
  readonly batches: string[][] = [];

  listServices(): Promise<Service[]> {
    return Promise.resolve(
      [...this.services.values()].map(({ key, scheduler }) => {
        if ('fwmark' in key) throw new Error('the fake table has address services only');
        return {
          ...key,
          family: 'ipv4',
          scheduler,
          persistence: 0,
          netmask: '255.255.255.255',
          onePacket: false,
          schedulerFlags: [],
          flags: [],
          stats: zeroStats,
        };
      }),
    );
  }

  listDestinations(key: ServiceKey): Promise<Destination[]> {
    const found = this.services.get(serviceId(key));
    if (!found)
      return Promise.reject(
        new IpvsError(ESRCH, { op: 'listDestinations', target: `service ${serviceId(key)}` }),
      );
    return Promise.resolve([...found.destinations.values()].map((d) => ({ ...d })));
  }

  /** A destination's weight, or undefined when it is not in the table. */
  weight(service: string, destination: string): number | undefined {
    return this.services.get(service)?.destinations.get(destination)?.weight;
  }

  async batch(build: BatchBuild): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    const lines: string[] = [];
    const run = (op: string, target: string, apply: () => number): void => {
      const errno = apply();
      lines.push(`${op} ${target}`);
      results.push(
        errno === 0
          ? { ok: true, op, target }
          : {
              ok: false,
              op,
              target,
              error: new IpvsError(errno, { op, target }, undefined, results.length),
            },
      );
    };
    const dest = (
      service: ServiceKey,
      spec: DestinationKey,
      fn: (s: { destinations: Map<string, Destination> }, id: string) => number,
    ) => {
      const s = this.services.get(serviceId(service));
      const port = spec.port ?? ('port' in service ? service.port : 0);
      return s ? fn(s, `${spec.address}:${port}`) : ESRCH;
    };
    const put = (spec: DestinationSpec, service: ServiceKey): Destination => ({
      address: spec.address,
      port: spec.port ?? ('port' in service ? service.port : 0),
      family: 'ipv4',
      forward: forwardMethod('forward', spec.forward),
      weight: spec.weight ?? 1,
      upperThreshold: spec.upperThreshold ?? 0,
      lowerThreshold: spec.lowerThreshold ?? 0,
      activeConnections: 0,
      inactiveConnections: 0,
      persistentConnections: 0,
      stats: zeroStats,
    });
    const recorder = {
      addService: (spec: ServiceSpec) => {
        run('addService', serviceId(spec), () => {
          if (this.services.has(serviceId(spec))) return EEXIST;
          this.services.set(serviceId(spec), {
            scheduler: spec.scheduler ?? 'wlc',
            key: spec,
            destinations: new Map(),
          });
          return 0;
        });
      },
      editService: (spec: ServiceSpec) => {
        run('editService', serviceId(spec), () => {
          const s = this.services.get(serviceId(spec));
          if (!s) return ESRCH;
          s.scheduler = spec.scheduler ?? 'wlc';
          return 0;
        });
      },
      deleteService: (key: ServiceKey) => {
        run('deleteService', serviceId(key), () =>
          this.services.delete(serviceId(key)) ? 0 : ESRCH,
        );
      },
      addDestination: (service: ServiceKey, spec: DestinationSpec) => {
        run('addDestination', `${spec.address}:${spec.port ?? ''}`, () =>
          dest(service, spec, (s, id) =>
            s.destinations.has(id) ? EEXIST : (s.destinations.set(id, put(spec, service)), 0),
          ),
        );
      },
      editDestination: (service: ServiceKey, spec: DestinationSpec) => {
        run(
          'editDestination',
          `${spec.address}:${spec.port ?? ''} weight ${spec.weight ?? 1}`,
          () =>
            dest(service, spec, (s, id) =>
              s.destinations.has(id) ? (s.destinations.set(id, put(spec, service)), 0) : ENOENT,
            ),
        );
      },
      deleteDestination: (service: ServiceKey, key: DestinationKey) => {
        run('deleteDestination', `${key.address}:${key.port ?? ''}`, () =>
          dest(service, key, (s, id) => (s.destinations.delete(id) ? 0 : ENOENT)),
        );
      },
      /** Batch.add: an Operation of the kinds above, as the planner states it. */
      add(operation: Operation) {
        switch (operation.op) {
          case 'addService':
          case 'editService':
            recorder[operation.op](operation.service);
            return;
          case 'deleteService':
            recorder.deleteService(operation.service);
            return;
          case 'addDestination':
          case 'editDestination':
            recorder[operation.op](operation.service, operation.destination);
            return;
          case 'deleteDestination':
            recorder.deleteDestination(operation.service, operation.destination);
            return;
          default:
            throw new Error(`the fake table has no ${operation.op}`);
        }
      },
    };
    // A build that returns a promise (the checker's, added in slices) is sent once it resolves.
    await build(recorder as unknown as Batch);
    this.batches.push(lines);
    return results;
  }
}
