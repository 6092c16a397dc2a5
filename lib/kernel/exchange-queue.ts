// Orders and coalesces the calls made on one handle. Calls made in the same tick go to the kernel
// together, in one exchange (one sendmsg per chunk); while an exchange runs, new calls gather and
// go in the next one. Exchanges never overlap, so the kernel sees the calls in the order they
// were made, and each call still gets its own replies.
//
// A call's requests are written as records (request-records.ts) when the call is made: single
// calls into the queue's own records, a batch into records of its own, which the exchange sends
// as they are, without a copy. A big exchange goes to the addon in slices of at most SLICE
// requests, one execute() each, with a turn of the event loop between them: the work the JS
// thread does per request (the addon reading the records, the replies handed back) then never
// holds the loop for more than a slice's worth, however big the batch.
import type { NativeClient, NativeError, NativeReply, NativeRequest } from './native.js';
import { RequestRecords } from './request-records.js';

/**
 * Requests per execute(). Each slice costs a round trip to the addon's worker thread, which in
 * the lab (TCG, a busy host) measured dearer than the JS work it bounds: 1024 made a batched
 * create of 6,000 operations slower (see benchmarks/README.md). 4096 keeps the sendmsg count of
 * the exchange's own chunking (3,000-3,750 messages) and still bounds what one turn does.
 */
export const SLICE = 4096;

/** Rows, results or settled calls built per turn of the event loop: JS-only work, a cheap turn. */
export const ROWS_PER_TURN = 1024;

/** One turn of the event loop: timers, I/O and immediates queued meanwhile run first. */
export const yieldToLoop = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

/**
 * A call waiting in the queue: the queue notes where its records are, the call says what its
 * replies mean. One object per call (a coalesced burst makes thousands).
 */
export abstract class QueuedCall {
  records: RequestRecords | undefined = undefined;
  from = 0;
  count = 0;
  /** The call's replies are replies[offset] to replies[offset + count - 1]. */
  abstract settle(replies: readonly NativeReply[], offset: number): void;
  /** The exchange itself failed; the addon's rejection as it came (read it with nativeFailure). */
  abstract fail(error: unknown): void;
}

/** submit()'s call: its replies as an array of their own. */
class ArrayCall extends QueuedCall {
  constructor(
    private readonly resolve: (replies: NativeReply[]) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    super();
  }
  settle(replies: readonly NativeReply[], offset: number): void {
    this.resolve(
      offset === 0 && replies.length === this.count
        ? (replies as NativeReply[])
        : replies.slice(offset, offset + this.count),
    );
  }
  fail(error: unknown): void {
    this.reject(error);
  }
}

export class ExchangeQueue {
  private pending: QueuedCall[] = [];
  private running = false;
  private scheduled = false;
  private closedError: NativeError | undefined;
  /** Single calls' records; the other one is being sent meanwhile. */
  private gathering = new RequestRecords();
  private sending = new RequestRecords();

  constructor(
    private readonly client: NativeClient,
    private readonly timeoutMs: number,
  ) {}

  /** Queues one request (already validated). */
  enqueue(request: NativeRequest, call: QueuedCall): void {
    if (this.closedError) {
      call.fail(this.closedError);
      return;
    }
    this.gathering.append(request);
    this.push(call, this.gathering, this.gathering.count - 1, 1);
  }

  /** Queues every record of `records` (a batch's: sent as they are, so not changed until settled). */
  enqueueRecords(records: RequestRecords, call: QueuedCall): void {
    if (this.closedError) {
      call.fail(this.closedError);
      return;
    }
    this.push(call, records, 0, records.count);
  }

  /** Resolves with one reply per request; rejects only when the exchange itself failed. */
  submit(requests: readonly NativeRequest[]): Promise<NativeReply[]> {
    return new Promise((resolve, reject) => {
      const call = new ArrayCall(resolve, reject);
      if (this.closedError) {
        call.fail(this.closedError);
        return;
      }
      const from = this.gathering.count;
      for (const request of requests) this.gathering.append(request);
      this.push(call, this.gathering, from, requests.length);
    });
  }

  /** Rejects whatever has not been sent yet; what is in flight settles through the native cancel. */
  close(error: NativeError): void {
    this.closedError = error;
    const waiting = this.pending;
    this.pending = [];
    this.gathering.reset();
    for (const call of waiting) call.fail(error);
  }

  private push(call: QueuedCall, records: RequestRecords, from: number, count: number): void {
    call.records = records;
    call.from = from;
    call.count = count;
    this.pending.push(call);
    if (!this.running && !this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => void this.pump());
    }
  }

  private async pump(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    try {
      while (this.pending.length > 0) {
        const round = this.pending;
        this.pending = [];
        // Calls made from now on gather in the other records while these are sent.
        const sent = this.gathering;
        this.gathering = this.sending;
        this.sending = sent;
        // Consecutive calls with the same records are one run of records: one exchange.
        for (let first = 0; first < round.length;) {
          const head = round[first] as QueuedCall;
          let end = first;
          let count = 0;
          while (end < round.length && (round[end] as QueuedCall).records === head.records) {
            count += (round[end] as QueuedCall).count;
            end++;
          }
          await this.run(round, first, end, head.records as RequestRecords, head.from, count);
          first = end;
        }
        sent.reset();
      }
    } finally {
      this.running = false;
    }
  }

  /** Sends the records of calls round[first..end) and settles each call. */
  private async run(
    round: readonly QueuedCall[],
    first: number,
    end: number,
    records: RequestRecords,
    from: number,
    count: number,
  ): Promise<void> {
    let replies: NativeReply[];
    try {
      replies = await this.execute(records, from, count);
    } catch (error) {
      for (let i = first; i < end; i++) (round[i] as QueuedCall).fail(error);
      return;
    }
    // Each settlement runs its caller's continuation (a microtask) before the loop turns: many
    // coalesced calls are settled a slice at a time, not all in one burst.
    let offset = 0;
    let settled = 0;
    for (let i = first; i < end; i++) {
      if (settled >= ROWS_PER_TURN) {
        settled = 0;
        await yieldToLoop();
      }
      const call = round[i] as QueuedCall;
      call.settle(replies, offset);
      offset += call.count;
      settled += call.count;
    }
  }

  /** Every request's reply, slice by slice (see the top of this file). */
  private async execute(
    records: RequestRecords,
    from: number,
    count: number,
  ): Promise<NativeReply[]> {
    if (count <= SLICE) {
      return this.client.execute(records.bytes(from, count), count, this.timeoutMs);
    }
    const replies: NativeReply[] = [];
    for (let start = 0; start < count; start += SLICE) {
      const n = Math.min(SLICE, count - start);
      // execute() reads the records before it returns. Its failure is held (not left unhandled
      // across the turn below) and thrown when awaited.
      const answered = this.client.execute(records.bytes(from + start, n), n, this.timeoutMs).then(
        (part) => ({ part }),
        (error: unknown) => ({ error }),
      );
      // A turn of the loop while the kernel answers, even when the addon answered inline.
      if (start + SLICE < count) await yieldToLoop();
      const outcome = await answered;
      if ('error' in outcome) throw outcome.error;
      for (const reply of outcome.part) replies.push(reply);
    }
    return replies;
  }
}
