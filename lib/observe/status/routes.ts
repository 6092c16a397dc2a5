// The status page's routes for the observe listener: GET / (the page), GET /status.json (the
// snapshot) and GET /events (live updates). Read-only: anything but GET and HEAD is refused.
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { HealthEvents, QuorumChange, StateChange } from '../../health/events.js';
import type { Route } from '../route.js';
import type { Snapshot } from '../snapshot.js';
import { fromQuorumChange, fromStateChange, RecentChanges, type ChangeEntry } from './changes.js';
import { snapshotJson } from './json.js';
import { LiveUpdates } from './live.js';
import { renderPage } from './page.js';
import { SnapshotReader } from './reader.js';
import { statusView } from './view.js';

export interface StatusRoutesOptions {
  /** Reads one snapshot (takeSnapshot over the handle and the checker). */
  snapshot: () => Promise<Snapshot>;
  /** The health checker, for its state and quorum changes as they happen. */
  checker?: EventEmitter<HealthEvents>;
  /** How often open pages are updated, in ms (default 2000, at least 100). */
  intervalMs?: number;
  /** The page's heading (default "IPVS status"). */
  title?: string;
}

export type StatusRoutes = Route & {
  /** Ends every open event stream, stops the timer and lets go of the checker. */
  close(): void;
};

/** How many recent state changes the page keeps and shows. */
export const RECENT_CHANGES = 50;

export function statusRoutes(options: StatusRoutesOptions): StatusRoutes {
  const intervalMs = options.intervalMs ?? 2000;
  if (!Number.isInteger(intervalMs) || intervalMs < 100)
    throw new RangeError(`intervalMs must be an integer of at least 100, got ${intervalMs}`);
  const title = options.title ?? 'IPVS status';
  const reader = new SnapshotReader(options.snapshot, intervalMs);
  const changes = new RecentChanges(RECENT_CHANGES);
  const live = new LiveUpdates(reader, intervalMs);
  const record = (entry: ChangeEntry): void => {
    changes.push(entry);
    live.change(entry);
  };
  const onState = (change: StateChange): void => {
    record(fromStateChange(change));
  };
  const onQuorum = (change: QuorumChange): void => {
    record(fromQuorumChange(change));
  };
  const checker = options.checker;
  checker?.on('state', onState);
  checker?.on('quorum', onQuorum);

  const headers = {
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };

  async function page(response: ServerResponse, head: boolean): Promise<void> {
    const reading = await reader.recent();
    const nonce = randomBytes(16).toString('base64');
    const body = renderPage({
      title,
      view: reading.snapshot === undefined ? undefined : statusView(reading.snapshot),
      error: reading.error === undefined ? undefined : { message: reading.error, at: reading.at },
      changes: changes.list(),
      checked: checker !== undefined,
      intervalMs,
      nonce,
    });
    response.writeHead(200, {
      ...headers,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy':
        `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; ` +
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      'referrer-policy': 'no-referrer',
    });
    response.end(head ? undefined : body);
  }

  async function json(response: ServerResponse, head: boolean): Promise<void> {
    const reading = await reader.recent();
    const failed = reading.error !== undefined;
    const body = failed
      ? JSON.stringify({ error: reading.error, at: reading.at })
      : snapshotJson(reading.snapshot as Snapshot);
    response.writeHead(failed ? 503 : 200, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
    });
    response.end(head ? undefined : body);
  }

  const route: Route = async (request, response, url) => {
    const path = url.pathname;
    if (path !== '/' && path !== '/status.json' && path !== '/events') return false;
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      response.writeHead(405, { ...headers, allow: 'GET, HEAD' });
      response.end();
      return true;
    }
    const head = method === 'HEAD';
    if (path === '/') await page(response, head);
    else if (path === '/status.json') await json(response, head);
    else if (head) response.writeHead(200, { 'content-type': 'text/event-stream' }).end();
    else live.attach(response);
    return true;
  };

  return Object.assign(route, {
    close(): void {
      checker?.off('state', onState);
      checker?.off('quorum', onQuorum);
      live.close();
    },
  });
}
