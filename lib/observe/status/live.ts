// /events: server-sent events to every open page. While at least one page listens, one timer
// reads one snapshot per interval, whatever the number of pages, and sends each page the rows
// that changed since the last tick ('delta'), or all of them ('full') to a page that just
// connected or when the table's layout changed. A failed read sends 'failure' and the next tick
// tries again. The checker's state and quorum changes go out at once ('change'). Each message
// is serialised once and written to every page.
import type { ServerResponse } from 'node:http';
import type { ChangeEntry } from './changes.js';
import { clock } from './format.js';
import { failureText } from './page.js';
import type { SnapshotReader } from './reader.js';
import { allRows, layoutOf, statusView, type RowView } from './view.js';

/** A row as sent: key, classes, fields, tooltips. */
interface WireRow {
  k: string;
  c: string;
  f: Record<string, string>;
  t?: Record<string, string>;
}

interface Page {
  response: ServerResponse;
  needsFull: boolean;
}

/** A page that cannot keep up (this much unsent) is dropped; its EventSource reconnects. */
const MAX_BUFFERED = 16 * 1024 * 1024;

const wire = (r: RowView): WireRow =>
  r.t === undefined ? { k: r.key, c: r.cls, f: r.f } : { k: r.key, c: r.cls, f: r.f, t: r.t };

export class LiveUpdates {
  private readonly pages = new Set<Page>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  /** The last tick's rows, their signatures and layout: what deltas are relative to. */
  private base: { layout: string; rows: WireRow[]; signatures: Map<string, string> } | undefined;
  private lastFailure: string | undefined;
  private closed = false;

  constructor(
    private readonly reader: SnapshotReader,
    private readonly intervalMs: number,
  ) {}

  get listeners(): number {
    return this.pages.size;
  }

  attach(response: ServerResponse): void {
    if (this.closed) {
      response.writeHead(503).end();
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write(`retry: ${this.intervalMs}\n\n`);
    const page: Page = { response, needsFull: true };
    this.pages.add(page);
    response.on('close', () => {
      this.pages.delete(page);
      if (this.pages.size === 0) this.stop();
    });
    if (this.base !== undefined) {
      this.send(page, message('full', { rows: this.base.rows }));
      page.needsFull = false;
    }
    if (this.lastFailure !== undefined) this.send(page, this.lastFailure);
    if (this.timer === undefined) {
      this.timer = setInterval(() => void this.tick(), this.intervalMs);
      void this.tick();
    }
  }

  /** Sends a checker's change to every page now. */
  change(entry: ChangeEntry): void {
    if (this.pages.size === 0) return;
    const text = message('change', { ...entry, when: clock(entry.at) });
    for (const page of this.pages) this.send(page, text);
  }

  close(): void {
    this.closed = true;
    this.stop();
    for (const page of this.pages) page.response.end();
    this.pages.clear();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.base = undefined;
    this.lastFailure = undefined;
  }

  private async tick(): Promise<void> {
    if (this.ticking) return; // a read slower than the interval: skip, do not pile up
    this.ticking = true;
    try {
      const reading = await this.reader.fresh();
      if (this.pages.size === 0) return;
      if (reading.error !== undefined) {
        const text = failureText(
          { message: reading.error, at: reading.at },
          reading.snapshot?.takenAt,
          this.intervalMs,
        );
        this.lastFailure = message('failure', { error: reading.error, at: reading.at, text });
        for (const page of this.pages) this.send(page, this.lastFailure);
        return;
      }
      this.lastFailure = undefined;
      if (reading.snapshot === undefined) return;
      this.publish(statusView(reading.snapshot));
    } finally {
      this.ticking = false;
    }
  }

  private publish(view: ReturnType<typeof statusView>): void {
    const rows = allRows(view).map(wire);
    const signatures = new Map(rows.map((r) => [r.k, JSON.stringify(r)]));
    const layout = layoutOf(view);
    const previous = this.base;
    this.base = { layout, rows, signatures };
    const relayout = previous === undefined || previous.layout !== layout;
    let full: string | undefined;
    let delta: string | undefined;
    for (const page of this.pages) {
      if (relayout || page.needsFull) {
        full ??= message('full', { rows });
        this.send(page, full);
        page.needsFull = false;
      } else {
        delta ??= message('delta', {
          rows: rows.filter((r) => previous.signatures.get(r.k) !== signatures.get(r.k)),
        });
        this.send(page, delta);
      }
    }
  }

  private send(page: Page, text: string): void {
    if (page.response.writableLength > MAX_BUFFERED) {
      page.response.destroy();
      return;
    }
    page.response.write(text);
  }
}

function message(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
