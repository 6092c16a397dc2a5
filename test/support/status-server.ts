// A node:http server of the test's own around a status Route (what the observe listener does in
// `ipvs serve`), and a reader for its server-sent events.
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Route } from '../../lib/observe/route.js';

export interface RouteServer {
  url: string;
  close(): Promise<void>;
}

export async function serveRoute(route: Route): Promise<RouteServer> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    Promise.resolve(route(request, response, url))
      .then((answered) => {
        if (!answered) response.writeHead(404).end('not found\n');
      })
      .catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

export interface SseMessage {
  event: string;
  data: unknown;
}

/** An open /events stream: every message received so far, in order. */
export interface SseStream {
  messages: SseMessage[];
  close(): void;
}

export function openEvents(url: string): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const messages: SseMessage[] = [];
    const request = get(url, (response: IncomingMessage) => {
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined)
            messages.push({ event, data: JSON.parse(data) as unknown });
        }
      });
      resolve({ messages, close: () => request.destroy() });
    });
    request.on('error', (error) => {
      if (!request.destroyed) reject(error);
    });
  });
}

export async function until(what: string, done: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
