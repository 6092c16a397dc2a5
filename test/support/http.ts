// One HTTP GET with its own connection (no keep-alive agent: every request is a new connection,
// so IPVS schedules each one), resolving with the body as sent.
import { request } from 'node:http';

export function httpGet(url: string, localAddress?: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { agent: false, timeout: timeoutMs, ...(localAddress ? { localAddress } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve(body);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end();
  });
}
