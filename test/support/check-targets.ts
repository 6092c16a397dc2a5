// Servers for health-check tests, well behaved and not: each listens on loopback (or a given
// address), on a port of the system's choosing, and closes with every connection it holds.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestServer {
  port: number;
  close(): Promise<void>;
}

async function listen(server: Server, host: string): Promise<TestServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    // Read (and drop) what the client sends, so that its FIN is seen and this end closes too:
    // a paused socket would stay open here, on the server's side, and count as a leak.
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export function httpServer(handler: Handler, host = '127.0.0.1'): Promise<TestServer> {
  return listen(createHttpServer(handler), host);
}

/** A raw TCP server: `onConnection` decides what the client gets. */
export function tcpServer(
  onConnection: (socket: Socket) => void,
  host = '127.0.0.1',
): Promise<TestServer> {
  return listen(createNetServer(onConnection), host);
}

/** Accepts and never says a word. */
export const hanging = (): Promise<TestServer> => tcpServer(() => undefined);

/** Resets every connection (RST) as soon as it is accepted. */
export const resetting = (): Promise<TestServer> => tcpServer((socket) => socket.resetAndDestroy());

/** Answers with bytes that are no HTTP, and keeps the connection open. */
export const garbage = (): Promise<TestServer> =>
  tcpServer((socket) => socket.write('\x00\x01SSH-2.0-not-http\r\n\r\n\xff\xfe'));

/** Sends a status line, then one byte of headers every 20 ms, forever. */
export const dripHeaders = (): Promise<TestServer> =>
  tcpServer((socket) => {
    socket.write('HTTP/1.1 200 OK\r\n');
    const timer = setInterval(() => socket.write('X'), 20);
    socket.on('close', () => {
      clearInterval(timer);
    });
  });

/** Sends complete headers and a 200, then one byte of body every 20 ms, forever. */
export const dripBody = (): Promise<TestServer> =>
  tcpServer((socket) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n');
    const timer = setInterval(() => socket.write('.'), 20);
    socket.on('close', () => {
      clearInterval(timer);
    });
  });

/** An HTTPS server with a self-signed certificate made by the openssl CLI for this run. */
export async function httpsServer(handler: Handler, host = '127.0.0.1'): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ipvs-health-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=health.test',
      ],
      { stdio: 'ignore' },
    );
    const server = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      handler,
    );
    return await listen(server, host);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A port that nothing listens on: 1 (tcpmux), privileged and unused. A port released by a test
 * server would not do: other test files running in parallel may be given it for their servers.
 */
export const REFUSED_PORT = 1;

/** Open file descriptors and active handles/requests/timers of this process, by type. */
export function resourceCounts(): { fds: number; resources: Record<string, number> } {
  const resources: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) resources[type] = (resources[type] ?? 0) + 1;
  // Read in-process: a child's listing would count the child's descriptors.
  return { fds: readdirSync('/proc/self/fd').length, resources };
}
