// One HTTP GET with its own connection (no keep-alive agent: every request is a new connection,
// so IPVS schedules each one), resolving with the body as sent. `localPort` pins the client's
// port: a test that counts IPVS connections gives each request its own, because a new SYN from a
// port whose previous connection IPVS still holds in a state other than TIME_WAIT reuses that
// connection instead of counting a new one (is_new_conn_expected() in ip_vs_core.c).
import { request } from 'node:http';

export function httpGet(
  url: string,
  localAddress?: string,
  timeoutMs = 10_000,
  localPort?: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent: false,
        timeout: timeoutMs,
        ...(localAddress ? { localAddress } : {}),
        ...(localPort ? { localPort } : {}),
      },
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
