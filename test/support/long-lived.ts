// A long-lived TCP connection for the failover tests: opened once, then asked a line at a time
// (each answer awaited with a deadline), so that a test can see whether the same connection still
// works, and who answers it, after its director was replaced.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

export interface LongLived {
  socket: Socket;
  /** Writes `text` and resolves with the first data that comes back. */
  ask: (text: string) => Promise<string>;
}

export async function longLivedConnection(options: {
  host: string;
  port: number;
  localAddress: string;
  timeoutMs: number;
}): Promise<LongLived> {
  const { host, port, localAddress, timeoutMs } = options;
  const socket = connect({ host, port, localAddress });
  await once(socket, 'connect');
  socket.setNoDelay(true);
  const ask = (text: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no answer to ${text} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const onData = (data: Buffer) => {
        cleanup();
        resolve(data.toString());
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const cleanup = () => {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('error', onError);
      };
      socket.on('data', onData);
      socket.on('error', onError);
      socket.write(text);
    });
  return { socket, ask };
}
