// LVS topologies for the e2e suites, built from network namespaces joined by bridges. The test
// file's own namespace (fresh per file, see fresh-netns.ts) is the client and holds the bridges;
// the director and each real server get a namespace of their own, plugged into a bridge by a veth
// pair. Names carry the test process's pid, so files running side by side never collide.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { httpGet } from './http.js';
import { sh } from './sh.js';

export interface Port {
  /** The interface's name inside its namespace (ens33, eth0, ...). */
  ifname: string;
  bridge: string;
  /** Addresses with prefix length ("192.168.8.10/24", "2001:db8:8::10/64"). */
  addresses: readonly string[];
  /** Extra addresses with an ip-address label ("192.168.8.200/32 ens33:0"), as the seed has. */
  labelled?: ReadonlyArray<readonly [address: string, label: string]>;
}

export class Topology {
  private readonly namespaces: string[] = [];
  private readonly bridges: string[] = [];
  private readonly servers: ChildProcess[] = [];
  private veths = 0;

  constructor(private readonly prefix: string) {}

  /** A bridge in the test's namespace; `addresses` make the test process a host on it. */
  bridge(name: string, addresses: readonly string[] = []): string {
    sh('ip', 'link', 'add', name, 'type', 'bridge');
    this.bridges.push(name);
    for (const a of addresses)
      sh('ip', 'address', 'add', a, 'dev', name, ...(a.includes(':') ? ['nodad'] : []));
    sh('ip', 'link', 'set', name, 'up');
    return name;
  }

  /** A namespace with lo up and one veth port per entry; returns its name (under /run/netns). */
  host(name: string, ports: readonly Port[]): string {
    const ns = `${this.prefix}-${process.pid}-${name}`;
    sh('ip', 'netns', 'add', ns);
    this.namespaces.push(ns);
    sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
    for (const port of ports) {
      const outside = `v${process.pid % 100000}x${this.veths++}`;
      sh('ip', 'link', 'add', outside, 'type', 'veth', 'peer', 'name', port.ifname, 'netns', ns);
      sh('ip', 'link', 'set', outside, 'master', port.bridge, 'up');
      for (const a of port.addresses)
        sh(
          'ip',
          '-n',
          ns,
          'address',
          'add',
          a,
          'dev',
          port.ifname,
          ...(a.includes(':') ? ['nodad'] : []),
        );
      for (const [a, label] of port.labelled ?? []) {
        sh(
          'ip',
          '-n',
          ns,
          'address',
          'add',
          a,
          'dev',
          port.ifname,
          ...(a.includes(':') ? ['nodad'] : ['label', label]),
        );
      }
      sh('ip', '-n', ns, 'link', 'set', port.ifname, 'up');
    }
    return ns;
  }

  /** Runs a command inside a namespace made by host(). */
  exec(ns: string, ...argv: string[]): string {
    return sh('ip', 'netns', 'exec', ns, ...argv);
  }

  /** An HTTP server in `ns` on every address, port `port`, answering `name` and a newline. */
  async httpServer(ns: string, name: string, port = 80): Promise<void> {
    const script = `require('http').createServer((q, r) => r.end(${JSON.stringify(`${name}\n`)})).listen(${port}, '::', () => console.log('listening'))`;
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.servers.push(child);
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    if (!line.toString().includes('listening'))
      throw new Error(`HTTP server in ${ns} said: ${line.toString()}`);
  }

  /** Stops the servers and removes the namespaces (their veths go with them) and the bridges. */
  destroy(): void {
    for (const server of this.servers) server.kill();
    for (const ns of this.namespaces) sh('ip', 'netns', 'del', ns);
    for (const br of this.bridges) sh('ip', 'link', 'del', br);
  }
}

export function netnsPath(ns: string): string {
  return `/run/netns/${ns}`;
}

/**
 * One HTTP GET from the test's namespace (the client): the body, i.e. the real server's name.
 * `localAddress` picks the client address; `timeoutMs` bounds a request expected to go unanswered.
 */
export async function get(url: string, localAddress?: string, timeoutMs = 10_000): Promise<string> {
  return (await httpGet(url, localAddress, timeoutMs)).trim();
}

/** `count` requests one after another; the names that answered, in order. */
export async function requests(
  url: string,
  count: number,
  localAddress?: string,
): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < count; i++) names.push(await get(url, localAddress));
  return names;
}

/** How many answers each name gave. */
export function tally(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of names) counts[n] = (counts[n] ?? 0) + 1;
  return counts;
}

/** Reads until `done` holds (the kernel folds stats about every 2 s), or fails saying what. */
export async function poll<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  seconds = 30,
): Promise<T> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until)
      throw new Error(
        `gave up waiting for ${what}; last: ${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}
