// Orders and coalesces the calls made on one handle. Calls made in the same tick go to the kernel
// together, in one exchange (one sendmsg per chunk); while an exchange runs, new calls gather and
// go in the next one. Exchanges never overlap, so the kernel sees the calls in the order they
// were made, and each call still gets its own replies.
//
// A big exchange goes to the addon in slices of at most SLICE requests, one execute() each, with
// a turn of the event loop between them: the work the JS thread does per request (packing, the
// addon reading the records, the replies handed back) then never holds the loop for more than a
// slice's worth, however big the batch. While the kernel answers one slice (on the addon's worker
// thread), the next one is packed.
import type { NativeClient, NativeError, NativeReply, NativeRequest } from './native.js';
import { RequestPacker } from './request-packer.js';

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

interface Pending {
  requests: readonly NativeRequest[];
  resolve: (replies: NativeReply[]) => void;
  /** With the addon's rejection as it came (read it with nativeFailure). */
  reject: (error: unknown) => void;
}

export class ExchangeQueue {
  private pending: Pending[] = [];
  private running = false;
  private scheduled = false;
  private closedError: NativeError | undefined;
  private readonly packer = new RequestPacker();

  constructor(
    private readonly client: NativeClient,
    private readonly timeoutMs: number,
  ) {}

  /** Resolves with one reply per request; rejects only when the exchange itself failed. */
  submit(requests: readonly NativeRequest[]): Promise<NativeReply[]> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.pending.push({ requests, resolve, reject });
      if (!this.running && !this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => void this.pump());
      }
    });
  }

  /** Rejects whatever has not been sent yet; what is in flight settles through the native cancel. */
  close(error: NativeError): void {
    this.closedError = error;
    const waiting = this.pending;
    this.pending = [];
    for (const p of waiting) p.reject(error);
  }

  private async pump(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        const requests =
          batch.length === 1 ? (batch[0]?.requests ?? []) : batch.flatMap((p) => p.requests);
        let replies: NativeReply[];
        try {
          replies = await this.execute(requests);
        } catch (error) {
          for (const p of batch) p.reject(error);
          continue;
        }
        // Each resolve runs its caller's continuation (a microtask) before the loop turns: many
        // coalesced calls are resolved a slice at a time, not all in one burst.
        let offset = 0;
        let resolved = 0;
        for (const p of batch) {
          if (resolved >= ROWS_PER_TURN) {
            resolved = 0;
            await yieldToLoop();
          }
          p.resolve(
            batch.length === 1 ? replies : replies.slice(offset, offset + p.requests.length),
          );
          offset += p.requests.length;
          resolved += p.requests.length;
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Every request's reply, slice by slice (see the top of this file). */
  private async execute(requests: readonly NativeRequest[]): Promise<NativeReply[]> {
    if (requests.length <= SLICE) {
      return this.client.execute(this.packer.pack(requests), requests.length, this.timeoutMs);
    }
    const replies: NativeReply[] = [];
    let packed = this.packer.pack(requests.slice(0, SLICE));
    for (let start = 0; start < requests.length; start += SLICE) {
      const count = Math.min(SLICE, requests.length - start);
      // execute() reads the records before it returns, so the buffer is free for the next slice.
      // Its failure is held (not left unhandled across the turn below) and thrown when awaited.
      const answered = this.client.execute(packed, count, this.timeoutMs).then(
        (part) => ({ part }),
        (error: unknown) => ({ error }),
      );
      const next = start + SLICE;
      if (next < requests.length) {
        await yieldToLoop();
        packed = this.packer.pack(requests.slice(next, next + SLICE));
      }
      const outcome = await answered;
      if ('error' in outcome) throw outcome.error;
      for (const reply of outcome.part) replies.push(reply);
    }
    return replies;
  }
}
