// HTTP_GET and SSL_GET: a GET of one path, healthy when the status is one of the expected ones
// and, if asked, the body matches. One connection per attempt (no agent, Connection: close),
// destroyed as soon as the outcome is known: a server that hangs, drips or sends garbage costs
// one failed attempt and nothing else.
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { CheckKind, CheckTarget } from '../types.js';
import { describeError, failed, passed, type CheckResult } from './result.js';
import { abortReason } from './tcp.js';

type HttpKind = Extract<CheckKind, { type: 'http' | 'https' }>;

/** The body is read up to this much for bodyMatch; a longer one is judged on its start. */
export const BODY_LIMIT = 64 * 1024;

function statusAccepted(kind: HttpKind, status: number): boolean {
  return kind.expectStatus.some(([low, high]) => status >= low && status <= high);
}

function hostHeader(kind: HttpKind, target: CheckTarget): string {
  if (kind.host !== undefined) return kind.host;
  const host = isIP(target.address) === 6 ? `[${target.address}]` : target.address;
  const defaultPort = kind.type === 'https' ? 443 : 80;
  return target.port === defaultPort ? host : `${host}:${target.port}`;
}

export function httpCheck(
  kind: HttpKind,
  target: CheckTarget,
  signal: AbortSignal,
): Promise<CheckResult> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(failed(abortReason(signal)));
      return;
    }
    const serverName = kind.host?.replace(/:\d+$/, '');
    const options = {
      host: target.address,
      port: target.port,
      path: kind.path,
      method: 'GET',
      agent: false as const,
      headers: {
        host: hostHeader(kind, target),
        'user-agent': 'ipvs-native-health',
        connection: 'close',
        accept: '*/*',
      },
    };
    const req: ClientRequest =
      kind.type === 'https'
        ? httpsRequest({
            ...options,
            rejectUnauthorized: kind.verifyTls,
            ...(serverName && isIP(serverName) === 0 ? { servername: serverName } : {}),
          })
        : httpRequest(options);
    let response: IncomingMessage | undefined;
    let settled = false;
    const finish = (result: CheckResult): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      response?.removeAllListeners('data');
      response?.removeAllListeners('end');
      response?.destroy();
      req.destroy();
      resolve(result);
    };
    const onAbort = (): void => {
      finish(failed(abortReason(signal)));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    // Stays attached after the outcome: a late reset or parse error must not go unhandled.
    req.on('error', (error) => {
      finish(failed(describeError(error)));
    });
    req.on('response', (res) => {
      response = res;
      res.on('error', (error) => {
        finish(failed(describeError(error)));
      });
      const status = res.statusCode ?? 0;
      if (!statusAccepted(kind, status)) {
        finish(failed(`status ${status}`));
        return;
      }
      const pattern = kind.bodyMatch;
      if (!pattern) {
        finish(passed(`status ${status}`));
        return;
      }
      let body = '';
      const judge = (): void => {
        finish(
          pattern.test(body)
            ? passed(`status ${status}, body matches`)
            : failed(`status ${status}, body does not match ${String(pattern)}`),
        );
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (body.length >= BODY_LIMIT) {
          body = body.slice(0, BODY_LIMIT);
          judge();
        }
      });
      res.on('end', judge);
      res.on('aborted', () => {
        finish(failed('the server closed the connection mid-body'));
      });
    });
    req.end();
  });
}
