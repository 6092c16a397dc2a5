// The Ipvs handle: one generic netlink socket in one network namespace, and the whole IPVS
// surface as async methods. Every input is validated before anything is sent; every kernel
// refusal becomes an IpvsError that says what was attempted.
import { constants as osConstants } from 'node:os';
import { inspect } from 'node:util';
import { Batch, type BatchBuild, type BatchResult } from './batch.js';
import { parseConnections } from '../kernel/connections.js';
import { parseTotals } from '../kernel/totals.js';
import { constants } from '../kernel/constants.js';
import { IpvsError, type Attempt } from './errors.js';
import { ExchangeQueue, QueuedCall, ROWS_PER_TURN, yieldToLoop } from '../kernel/exchange-queue.js';
import {
  daemonFromKernel,
  destinationFromKernel,
  serviceFromKernel,
} from '../kernel/from-kernel.js';
import { destRows, serviceRows } from '../kernel/reply-tables.js';
import { loadNative } from '../kernel/binding.js';
import { nativeFailure } from '../kernel/native-error.js';
import type {
  NativeClient,
  NativeError,
  NativeReply,
  NativeRequest,
  TransportCounters,
} from '../kernel/native.js';
import { attemptOf, operationName, prepare, targetOf, type Operation } from './operation.js';
import type { RequestRecords } from '../kernel/request-records.js';
import type {
  Connection,
  Daemon,
  DaemonSpec,
  DaemonState,
  Destination,
  DestinationKey,
  DestinationSpec,
  Info,
  ListOptions,
  OpenOptions,
  Service,
  ServiceKey,
  ServiceSpec,
  Stats,
  Timeouts,
} from '../model/types.js';
import { describeService, serviceKey } from './validate.js';
import { servicesWithDestinations } from './listing.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const commands = constants.commands;
const { EBADF, EIO, ESRCH } = osConstants.errno;

function openError(error: unknown, netns: string): Error {
  const failure = nativeFailure(error);
  if (!failure) return error as Error;
  // The failed step picks the target: the namespace file itself, or IPVS inside it. The addon's
  // text is not the kernel's message, so it is not kept.
  const inNamespace = failure.step === 'netns-open' || failure.step === 'netns-enter';
  const target = inNamespace ? `network namespace ${netns}` : `IPVS in network namespace ${netns}`;
  return new IpvsError(failure.errno, { op: 'open', target });
}

/** An error of the exchange as a whole (socket failure, closed handle) for one attempt. */
function exchangeError(error: unknown, attempt: Attempt, index?: number): Error {
  const failure = nativeFailure(error);
  return failure ? new IpvsError(failure.errno, attempt, undefined, index) : (error as Error);
}

/**
 * One operation's result, read from the batch's records. Its target is a getter: the sentence is
 * built only if someone reads it, which big batches mostly don't.
 */
function batchResult(
  records: RequestRecords,
  index: number,
  reply: NativeReply | undefined,
): BatchResult {
  const op = operationName(records.command(index));
  const error = failureOf(reply);
  if (!error) {
    return {
      ok: true,
      op,
      get target() {
        return targetOf(records.read(index));
      },
    };
  }
  const request = records.read(index);
  return {
    ok: false,
    op,
    target: targetOf(request),
    error: new IpvsError(error.errno, attemptOf(request), error.message, index, error.offset),
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** A refused request: its errno, and the kernel's extended-ack message and offset if sent. */
interface ReplyFailure {
  errno: number;
  message?: string | undefined;
  offset?: number | undefined;
}

function replyError(reply: NativeReply): ReplyFailure | undefined {
  if (reply === 0 || reply.error === 0) return undefined;
  return { errno: reply.error, message: reply.message, offset: reply.offset };
}

/** A write's failure, if it failed; a reply that never came is EIO. */
function failureOf(reply: NativeReply | undefined): ReplyFailure | undefined {
  return reply === undefined ? { errno: EIO } : replyError(reply);
}

/** One operation's call: resolves once the kernel applied it, else rejects saying what was tried. */
class OperationCall extends QueuedCall {
  constructor(
    private readonly request: NativeRequest,
    private readonly resolve: () => void,
    private readonly reject: (error: Error) => void,
  ) {
    super();
  }
  settle(replies: readonly NativeReply[], offset: number): void {
    const error = failureOf(replies[offset]);
    if (!error) {
      this.resolve();
      return;
    }
    const attempt = attemptOf(this.request);
    this.reject(new IpvsError(error.errno, attempt, error.message, undefined, error.offset));
  }
  fail(error: unknown): void {
    this.reject(exchangeError(error, attemptOf(this.request)));
  }
}

/** A batch's replies: replies[offset] onwards. */
interface Answered {
  replies: readonly NativeReply[];
  offset: number;
}

class BatchCall extends QueuedCall {
  constructor(
    private readonly resolve: (answered: Answered) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    super();
  }
  settle(replies: readonly NativeReply[], offset: number): void {
    this.resolve({ replies, offset });
  }
  fail(error: unknown): void {
    this.reject(error);
  }
}

// Every public method is async: bad input rejects the returned promise (with a TypeError or
// RangeError naming the field) rather than throwing before one exists.
/** A constructor of the handle or of a class built on it (see lib/ipvs.ts). */
type HandleClass<T> = new (client: NativeClient, timeoutMs: number) => T;

export class IpvsHandle {
  private readonly queue: ExchangeQueue;
  private closed = false;

  /** @internal Use open(). */
  constructor(
    private readonly client: NativeClient,
    timeoutMs: number,
  ) {
    this.queue = new ExchangeQueue(client, timeoutMs);
  }

  /**
   * Opens a handle. With `netns`, the socket is created inside that network namespace (the
   * calling thread returns to its own at once) and the handle stays bound to it.
   */
  static async open<T extends IpvsHandle>(
    this: HandleClass<T>,
    options: OpenOptions = {},
  ): Promise<T> {
    const netns = options.netns ?? '/proc/self/ns/net';
    if (typeof netns !== 'string' || netns === '')
      throw new TypeError(`netns must be a path such as /run/netns/NAME, got ${inspect(netns)}`);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > constants.MAX_TIMEOUT_MS) {
      throw new RangeError(
        `timeoutMs must be an integer 1-${constants.MAX_TIMEOUT_MS}, got ${String(timeoutMs)}`,
      );
    }
    try {
      return new this(await loadNative().open(netns), timeoutMs);
    } catch (error) {
      throw openError(error, netns);
    }
  }

  /** Closes the socket. Calls not yet sent reject with EBADF; one in flight is cancelled. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const error: NativeError = Object.assign(new Error('the handle is closed'), {
      errno: EBADF,
      step: 'closed' as const,
    });
    this.queue.close(error);
    this.client.close();
  }

  /**
   * Traffic on this handle's socket so far: sendmsg calls, messages, bytes, datagrams received.
   * Shows batching at work (messagesSent / sendmsgCalls). Zeros after close().
   */
  transportCounters(): TransportCounters {
    const c = this.client.counters();
    return {
      sendmsgCalls: c.sendmsgCalls ?? 0,
      messagesSent: c.messagesSent ?? 0,
      bytesSent: c.bytesSent ?? 0,
      datagramsReceived: c.datagramsReceived ?? 0,
    };
  }

  // ---- services ----

  async addService(spec: ServiceSpec): Promise<void> {
    return this.run({ op: 'addService', service: spec });
  }

  /** Replaces a service's settings (ipvsadm -E): options not given take their defaults. */
  async editService(spec: ServiceSpec): Promise<void> {
    return this.run({ op: 'editService', service: spec });
  }

  async deleteService(key: ServiceKey): Promise<void> {
    return this.run({ op: 'deleteService', service: key });
  }

  /** One service, with its stats. Rejects with ESRCH when it does not exist. */
  async getService(key: ServiceKey, options: ListOptions = {}): Promise<Service> {
    const service = serviceKey(key);
    const attempt = { op: 'getService', target: `service ${describeService(service)}` };
    const [reply] = await this.exchange([{ command: commands.getService, service }], attempt);
    const table = this.dataOf(reply, attempt).services;
    const found = table ? serviceRows(table)[0] : undefined;
    if (!found) throw new IpvsError(ESRCH, attempt);
    const result = serviceFromKernel(found);
    if (options.destinations) result.destinations = await this.listDestinations(key);
    return result;
  }

  /**
   * Every service with stats; with { destinations: true } each one's destinations too (a dump per
   * service, pipelined: listing.ts). Rows are built in slices with a turn of the event loop
   * between them, so that a big table does not hold the loop.
   */
  async listServices(options: ListOptions = {}): Promise<Service[]> {
    const attempt = { op: 'listServices', target: 'all services' };
    const [reply] = await this.exchange([{ command: commands.getServices }], attempt);
    const table = this.dataOf(reply, attempt).services;
    if (!table) return [];
    if (options.destinations) {
      return servicesWithDestinations(
        table,
        (requests) => this.queue.dumpDestinations(requests),
        (error) =>
          exchangeError(error, { op: 'listServices', target: 'destinations of all services' }),
      );
    }
    const services: Service[] = [];
    for (let from = 0; from < table.count; from += ROWS_PER_TURN) {
      if (from > 0) await yieldToLoop();
      for (const native of serviceRows(table, from, Math.min(table.count, from + ROWS_PER_TURN))) {
        services.push(serviceFromKernel(native));
      }
    }
    return services;
  }

  // ---- destinations ----

  async addDestination(service: ServiceKey, destination: DestinationSpec): Promise<void> {
    return this.run({ op: 'addDestination', service, destination });
  }

  /** Replaces a destination's settings (ipvsadm -e). */
  async editDestination(service: ServiceKey, destination: DestinationSpec): Promise<void> {
    return this.run({ op: 'editDestination', service, destination });
  }

  async deleteDestination(service: ServiceKey, destination: DestinationKey): Promise<void> {
    return this.run({ op: 'deleteDestination', service, destination });
  }

  async listDestinations(key: ServiceKey): Promise<Destination[]> {
    const service = serviceKey(key);
    const attempt = { op: 'listDestinations', target: `service ${describeService(service)}` };
    const [reply] = await this.exchange([{ command: commands.getDests, service }], attempt);
    const table = this.dataOf(reply, attempt).dests;
    return table ? destRows(table).map(destinationFromKernel) : [];
  }

  // ---- table-wide ----

  /** Zeroes the counters of one service, or of everything. */
  async zero(service?: ServiceKey): Promise<void> {
    return this.run({ op: 'zero', service });
  }

  /** Deletes every service and destination in the handle's namespace. */
  async flush(): Promise<void> {
    return this.run({ op: 'flush' });
  }

  async getInfo(): Promise<Info> {
    const attempt = { op: 'getInfo', target: 'IPVS' };
    const [reply] = await this.exchange([{ command: commands.getInfo }], attempt);
    const info = this.dataOf(reply, attempt).info ?? { version: 0, connTableSize: 0 };
    const v = info.version;
    return {
      version: `${v >>> 16}.${(v >>> 8) & 0xff}.${v & 0xff}`,
      versionCode: v,
      connectionTableSize: info.connTableSize,
    };
  }

  async getTimeouts(): Promise<Timeouts> {
    const attempt = { op: 'getTimeouts', target: 'timeouts' };
    const [reply] = await this.exchange([{ command: commands.getConfig }], attempt);
    return this.dataOf(reply, attempt).timeouts ?? { tcp: 0, tcpFin: 0, udp: 0 };
  }

  /** Sets connection timeouts in seconds; 0 or absent leaves a value unchanged (ipvsadm --set). */
  async setTimeouts(timeouts: Partial<Timeouts>): Promise<void> {
    return this.run({ op: 'setTimeouts', timeouts });
  }

  // ---- connection synchronisation daemons ----

  async startDaemon(daemon: DaemonSpec): Promise<void> {
    return this.run({ op: 'startDaemon', daemon });
  }

  async stopDaemon(state: DaemonState): Promise<void> {
    return this.run({ op: 'stopDaemon', state });
  }

  async listDaemons(): Promise<Daemon[]> {
    const attempt = { op: 'listDaemons', target: 'sync daemons' };
    const [reply] = await this.exchange([{ command: commands.getDaemons }], attempt);
    return (this.dataOf(reply, attempt).daemons ?? []).map(daemonFromKernel);
  }

  // ---- connections ----

  /** The connection table of the handle's namespace (/proc/net/ip_vs_conn). */
  async listConnections(): Promise<Connection[]> {
    try {
      return parseConnections(await this.client.readProcNet('ip_vs_conn'));
    } catch (error) {
      throw exchangeError(error, {
        op: 'listConnections',
        target: '/proc/net/ip_vs_conn',
      });
    }
  }

  /** The namespace's totals since IPVS was loaded in it (/proc/net/ip_vs_stats). */
  async getTotals(): Promise<Stats> {
    try {
      return parseTotals(await this.client.readProcNet('ip_vs_stats'));
    } catch (error) {
      throw exchangeError(error, { op: 'getTotals', target: '/proc/net/ip_vs_stats' });
    }
  }

  // ---- batches ----

  /**
   * Runs many write operations in one exchange and reports each one's result, in order. The
   * kernel applies each operation independently: a failure does not stop the rest and nothing
   * is rolled back. Validation happens while the batch is built, before anything is sent.
   *
   * `build` may return a promise (a big batch built with turns of the event loop in between):
   * the batch is sent once it resolves, after calls made meanwhile; if it rejects, nothing is sent.
   * A build that returns nothing is sent in the order of the batch() call, as a single call is.
   */
  async batch(build: BatchBuild): Promise<BatchResult[]> {
    const batch = new Batch();
    const building = build(batch);
    if (isThenable(building)) await building;
    const count = batch.size;
    if (count === 0) return [];
    const records = batch.records;
    const { replies, offset } = await new Promise<Answered>((resolve, reject) => {
      this.queue.enqueueRecords(records, new BatchCall(resolve, reject));
    }).catch((error: unknown) => {
      throw exchangeError(error, { op: 'batch', target: `${count} operations` });
    });
    const results = new Array<BatchResult>(count);
    for (let index = 0; index < count; index++) {
      if (index > 0 && index % ROWS_PER_TURN === 0) await yieldToLoop();
      results[index] = batchResult(records, index, replies[offset + index]);
    }
    return results;
  }

  /**
   * Runs one operation of any kind (as apply, restore or the ipvsadm command line state them) and
   * rejects with an IpvsError when the kernel refuses it, as the methods do.
   */
  run(operation: Operation): Promise<void> {
    return new Promise((resolve, reject) => {
      // Validation throws before anything is queued: the promise rejects with its error.
      const request = prepare(operation);
      this.queue.enqueue(request, new OperationCall(request, resolve, reject));
    });
  }

  // ---- plumbing ----

  private async exchange(requests: NativeRequest[], attempt: Attempt): Promise<NativeReply[]> {
    try {
      return await this.queue.submit(requests);
    } catch (error) {
      throw exchangeError(error, attempt);
    }
  }

  private dataOf(reply: NativeReply | undefined, attempt: Attempt): Exclude<NativeReply, 0> {
    if (reply === undefined || reply === 0)
      throw new IpvsError(EIO, attempt, 'the kernel sent no data');
    const error = replyError(reply);
    if (error) throw new IpvsError(error.errno, attempt, error.message, undefined, error.offset);
    return reply;
  }
}
