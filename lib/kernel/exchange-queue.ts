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
//
// The next exchange goes to the addon as soon as the previous one is answered, before that one's
// calls are settled: the kernel (on the addon's worker thread) answers it while the JS thread
// settles those calls and runs their callers' continuations, which is how a listing builds rows
// of one slice while the kernel dumps the next.
import type {
  NativeClient,
  NativeDestDumps,
  NativeError,
  NativeReply,
  NativeRequest,
} from './native.js';
import { RequestRecords } from './request-records.js';

/**
 * Requests per execute(). Each slice costs a round trip to the addon's worker thread, which in
 * the lab (TCG, a busy host) measured dearer than the JS work it bounds: 1024 made a batched
 * create of 6,000 operations slower (see benchmarks/README.md). 4096 keeps the sendmsg count of
 * the exchange's own chunking (3,000-3,750 messages) and still bounds what one turn does.
 */
export const SLICE = 4096;

/**
 * Rows, results or settled calls built per turn of the event loop: JS-only work, a cheap turn. In
 * the lab (TCG) a batch's result costs up to 20 µs to build, so 1024 a turn held the loop 8-30 ms
 * at a time while a 15,000-operation batch's results were built; 256 keep a turn under 10 ms.
 */
export const ROWS_PER_TURN = 256;

/**
 * Calls settled, one exchange after another, before the queue gives the loop a turn of its own.
 * Small exchanges are answered inline (native/addon/inline_policy.h): a caller awaiting one call
 * after another then never leaves the microtask queue, and timers (a VRRP advertisement, a health
 * check) would wait for the whole sequence. In the lab (TCG) an awaited call takes 50-170 µs
 * (an edit, a create), so 32 hold the loop 2-6 ms.
 */
export const CALLS_PER_TURN = 32;

/** One turn of the event loop: timers, I/O and immediates queued meanwhile run first. */
export const yieldToLoop = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

/** What the queue keeps of any waiting call: where its records are, and how to fail it. */
abstract class PendingCall {
  records: RequestRecords | undefined = undefined;
  from = 0;
  count = 0;
  /** The exchange itself failed; the addon's rejection as it came (read it with nativeFailure). */
  abstract fail(error: unknown): void;
}

/**
 * A call answered with one reply per request: the queue notes where its records are, the call
 * says what its replies mean. One object per call (a coalesced burst makes thousands).
 */
export abstract class QueuedCall extends PendingCall {
  /** The call's replies are replies[offset] to replies[offset + count - 1]. */
  abstract settle(replies: readonly NativeReply[], offset: number): void;
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

/** dumpDestinations()'s call: sent alone, answered as one table. */
class DestTableCall extends PendingCall {
  constructor(
    readonly settle: (dumps: NativeDestDumps) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    super();
  }
  fail(error: unknown): void {
    this.reject(error);
  }
}

type Answer = { replies: NativeReply[] } | { dumps: NativeDestDumps } | { error: unknown };

/** Calls round[first..end), whose records are one run, sent as one exchange. */
interface Run {
  round: readonly PendingCall[];
  first: number;
  end: number;
  answer: Promise<Answer>;
  /** The last run of its round: these records go back to the spares once it is settled. */
  releases: RequestRecords | undefined;
}

export class ExchangeQueue {
  private pending: PendingCall[] = [];
  private running = false;
  private scheduled = false;
  private closedError: NativeError | undefined;
  /** Single calls' records. Those of earlier rounds are kept until their calls are settled. */
  private gathering = new RequestRecords();
  private readonly spares: RequestRecords[] = [];
  /** The round being sent, and where its next run starts. */
  private round: PendingCall[] = [];
  private next = 0;
  private roundRecords: RequestRecords | undefined;
  /** Calls settled since the event loop last turned (an immediate sets it back to 0). */
  private settledSinceTurn = 0;

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
      this.gather(requests, new ArrayCall(resolve, reject));
    });
  }

  /**
   * Destination dumps (every request a getDests), answered as one table. Sent as one exchange of
   * their own, not sliced: the caller keeps them to a slice's worth (SLICE).
   */
  dumpDestinations(requests: readonly NativeRequest[]): Promise<NativeDestDumps> {
    return new Promise((resolve, reject) => {
      this.gather(requests, new DestTableCall(resolve, reject));
    });
  }

  /** Writes `requests` into the single calls' records and queues them as `call`. */
  private gather(requests: readonly NativeRequest[], call: PendingCall): void {
    if (this.closedError) {
      call.fail(this.closedError);
      return;
    }
    const from = this.gathering.count;
    for (const request of requests) this.gathering.append(request);
    this.push(call, this.gathering, from, requests.length);
  }

  /** Rejects whatever has not been sent yet; what is in flight settles through the native cancel. */
  close(error: NativeError): void {
    this.closedError = error;
    const waiting = [...this.round.slice(this.next), ...this.pending];
    this.round = [];
    this.next = 0;
    this.pending = [];
    this.gathering.reset();
    for (const call of waiting) call.fail(error);
  }

  private push(call: PendingCall, records: RequestRecords, from: number, count: number): void {
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
      let current = this.startNextRun();
      while (current) {
        await current.answer;
        // The kernel takes the next run while the JS thread settles this one (top of the file).
        const following = this.startNextRun();
        await this.settle(current);
        if (current.releases) this.release(current.releases);
        if (following) {
          current = following;
          continue;
        }
        // Calls made while settling (a caller awaiting one call after another) wait for the next
        // run; if the loop has not turned for a while, it turns first (CALLS_PER_TURN).
        if (this.settledSinceTurn >= CALLS_PER_TURN) await yieldToLoop();
        current = this.startNextRun();
      }
    } finally {
      this.running = false;
    }
  }

  /** Starts the exchange of the next run: of the round being sent, else of a new round. */
  private startNextRun(): Run | undefined {
    if (this.next >= this.round.length) {
      if (this.pending.length === 0) return undefined;
      this.round = this.pending;
      this.pending = [];
      this.next = 0;
      // Calls made from now on gather in other records while these are sent and settled.
      this.roundRecords = this.gathering;
      this.gathering = this.spares.pop() ?? new RequestRecords();
    }
    const round = this.round;
    const first = this.next;
    const head = round[first] as PendingCall;
    const records = head.records as RequestRecords;
    let end = first + 1;
    let count = head.count;
    // Consecutive calls with the same records are one run of records: one exchange. A table of
    // destination dumps is a run of its own.
    if (!(head instanceof DestTableCall)) {
      while (end < round.length) {
        const call = round[end] as PendingCall;
        if (call.records !== records || call instanceof DestTableCall) break;
        count += call.count;
        end++;
      }
    }
    this.next = end;
    const answer: Promise<Answer> = (
      head instanceof DestTableCall
        ? this.client
            .dumpDestinations(records.bytes(head.from, count), count, this.timeoutMs)
            .then((dumps): Answer => ({ dumps }))
        : this.execute(records, head.from, count).then((replies): Answer => ({ replies }))
    ).catch((error: unknown): Answer => ({ error }));
    return {
      round,
      first,
      end,
      answer,
      releases: end === round.length ? this.roundRecords : undefined,
    };
  }

  private release(records: RequestRecords): void {
    // The round's own single-call records: a batch's belong to the batch.
    if (records === this.gathering) return;
    records.reset();
    if (this.spares.length < 2) this.spares.push(records);
  }

  /** Settles each call of the run with its replies, or fails them all. */
  private async settle(run: Run): Promise<void> {
    const answer = await run.answer;
    const { round, first, end } = run;
    this.noteSettled(end - first);
    if ('error' in answer) {
      for (let i = first; i < end; i++) (round[i] as PendingCall).fail(answer.error);
      return;
    }
    if ('dumps' in answer) {
      (round[first] as DestTableCall).settle(answer.dumps);
      return;
    }
    // Each settlement runs its caller's continuation (a microtask) before the loop turns: many
    // coalesced calls are settled a slice at a time, not all in one burst.
    const { replies } = answer;
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

  /** Counts settled calls until the event loop next turns on its own or by yieldToLoop(). */
  private noteSettled(calls: number): void {
    if (this.settledSinceTurn === 0) {
      setImmediate(() => {
        this.settledSinceTurn = 0;
      });
    }
    this.settledSinceTurn += calls;
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
