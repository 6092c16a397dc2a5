// The observe listener (node:http): GET /metrics for Prometheus, then the extra routes given
// (the status page), then 404. Only GET and HEAD are served (405 otherwise): it is read-only. A
// scrape whose kernel reading fails answers 500 with the error, which the exporter counts; the
// listener goes on. The exposition is gzipped when the scraper accepts it (Prometheus does):
// a 10,000-service table is tens of megabytes of text.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { ListenAddress } from './listen-address.js';
import type { MetricsExporter } from './metrics/exporter.js';
import type { Route } from './route.js';
import { errorMessage } from '../model/guards.js';

const gzipAsync = promisify(gzip);

export interface ObserveServerOptions {
  listen: ListenAddress;
  metrics: MetricsExporter;
  /** Tried in order after /metrics; the first that returns true has handled the request. */
  routes?: readonly Route[];
}

export interface ObserveServer {
  /** The bound address (the port the kernel chose when 0 was asked). */
  address: ListenAddress;
  close(): Promise<void>;
}

function plain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(`${text}\n`);
}

async function serveMetrics(
  metrics: MetricsExporter,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  let exposition;
  try {
    exposition = await metrics.scrape(request.headers.accept);
  } catch (error) {
    plain(response, 500, `ipvs exporter: reading IPVS failed: ${errorMessage(error)}`);
    return;
  }
  const headers = { 'content-type': exposition.contentType, vary: 'Accept, Accept-Encoding' };
  if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
    const body = await gzipAsync(exposition.body);
    response.writeHead(200, { ...headers, 'content-encoding': 'gzip' });
    response.end(body);
  } else {
    response.writeHead(200, headers);
    response.end(exposition.body);
  }
}

async function handle(
  options: ObserveServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    plain(response, 405, `${request.method ?? ''} is not allowed: this listener is read-only`);
    return;
  }
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/metrics') return serveMetrics(options.metrics, request, response);
  for (const route of options.routes ?? []) {
    if (await route(request, response, url)) return;
  }
  plain(response, 404, `no such page: ${url.pathname}`);
}

export async function startObserveServer(options: ObserveServerOptions): Promise<ObserveServer> {
  const server: Server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      if (response.headersSent) response.destroy();
      else plain(response, 500, errorMessage(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listen.port, options.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound: AddressInfo | string | null = server.address();
  if (bound === null || typeof bound === 'string')
    throw new Error('the listener has no TCP address');
  return {
    address: { host: bound.address, port: bound.port },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      }),
  };
}
