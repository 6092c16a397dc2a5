// Orders and coalesces the calls made on one handle. Calls made in the same tick go to the kernel
// together, in one exchange (one sendmsg per chunk); while an exchange runs, new calls gather and
// go in the next one. Exchanges never overlap, so the kernel sees the calls in the order they
// were made, and each call still gets its own replies.
import type { NativeClient, NativeError, NativeReply, NativeRequest } from './native.js';
import { RequestPacker } from './request-packer.js';

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
          replies = await this.client.execute(
            this.packer.pack(requests),
            requests.length,
            this.timeoutMs,
          );
        } catch (error) {
          for (const p of batch) p.reject(error);
          continue;
        }
        let offset = 0;
        for (const p of batch) {
          p.resolve(
            batch.length === 1 ? replies : replies.slice(offset, offset + p.requests.length),
          );
          offset += p.requests.length;
        }
      }
    } finally {
      this.running = false;
    }
  }
}
