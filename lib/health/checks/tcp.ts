// TCP_CHECK: healthy when a TCP connection opens within the deadline. The socket is destroyed
// as soon as the outcome is known, whatever it is.
import { connect } from 'node:net';
import type { CheckTarget } from '../types.js';
import { describeError, failed, passed, type CheckResult } from './result.js';

export function tcpCheck(target: CheckTarget, signal: AbortSignal): Promise<CheckResult> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(failed(abortReason(signal)));
      return;
    }
    const socket = connect({ host: target.address, port: target.port });
    const finish = (result: CheckResult): void => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('connect');
      // Errors after the outcome (a reset while closing) must not go unhandled.
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(result);
    };
    const onAbort = (): void => {
      finish(failed(abortReason(signal)));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      finish(passed('connected'));
    });
    socket.once('error', (error) => {
      finish(failed(describeError(error)));
    });
  });
}

export function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : 'aborted';
}
