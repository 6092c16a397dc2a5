// The seed's LVS-DR network, built from network namespaces so that the demo never touches the
// machine's own interfaces: a switch (a bridge in namespace seed-lan), the client, the director
// and two real servers, each plugged into the switch by a veth pair. Addresses are the seed's.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export const NAMES = ['seed-lan', 'seed-client', 'seed-director', 'seed-rs1', 'seed-rs2'] as const;
export const CLIENT = '192.168.8.100';

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function existing(): string[] {
  const listed = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return listed
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((n) => (NAMES as readonly string[]).includes(n));
}

/** Removes the demo's namespaces (their interfaces go with them); left-overs of an earlier run too. */
export function teardown(): void {
  for (const ns of existing()) ip('netns', 'del', ns);
}

/** Plugs `ns` into the switch with interface `ifname` and its addresses. */
function plug(
  ns: string,
  ifname: string,
  addresses: readonly string[],
  labelled?: readonly [string, string],
): void {
  const port = `p-${ns.slice(5)}`;
  ip('link', 'add', port, 'netns', 'seed-lan', 'type', 'veth', 'peer', 'name', ifname, 'netns', ns);
  ip('-n', 'seed-lan', 'link', 'set', port, 'master', 'br0', 'up');
  for (const a of addresses) ip('-n', ns, 'address', 'add', a, 'dev', ifname);
  if (labelled) ip('-n', ns, 'address', 'add', labelled[0], 'dev', ifname, 'label', labelled[1]);
  ip('-n', ns, 'link', 'set', ifname, 'up');
}

export function build(): void {
  teardown();
  for (const ns of NAMES) {
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  ip('-n', 'seed-lan', 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', 'seed-lan', 'link', 'set', 'br0', 'up');
  plug('seed-client', 'eth0', [`${CLIENT}/24`]);
  // The seed: DIP 192.168.8.10 on ens33, the VIP on the alias ens33:0.
  plug('seed-director', 'ens33', ['192.168.8.10/24'], ['192.168.8.200/32', 'ens33:0']);
  plug('seed-rs1', 'eth0', ['192.168.8.20/24']);
  plug('seed-rs2', 'eth0', ['192.168.8.30/24']);
}

/** An HTTP server in a real server's namespace that answers with its name; resolves once it listens. */
export async function httpServer(ns: string, name: string): Promise<ChildProcess> {
  const script = `require('http').createServer((q, r) => r.end(${JSON.stringify(name)})).listen(80, () => console.log('listening'))`;
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  if (!line.toString().includes('listening'))
    throw new Error(`the HTTP server in ${ns} said: ${line.toString()}`);
  return child;
}

/** `count` HTTP requests from the client namespace, one after another; who answered each. */
export function clientRequests(url: string, count: number): string[] {
  const script = `
    const http = require('http');
    const get = () => new Promise((ok, fail) => http.get(${JSON.stringify(url)}, { agent: false, timeout: 5000 }, (r) => {
      let b = ''; r.on('data', (c) => (b += c)); r.on('end', () => ok(b));
    }).on('timeout', function () { this.destroy(new Error('timeout')); }).on('error', fail));
    (async () => { const names = []; for (let i = 0; i < ${count}; i++) names.push(await get()); console.log(JSON.stringify(names)); })()
      .catch((e) => { console.error(e.message); process.exit(1); });`;
  const out = execFileSync('ip', ['netns', 'exec', 'seed-client', process.execPath, '-e', script], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}
