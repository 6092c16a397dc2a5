// Names for addresses and ports, looked up where ipvsadm looks them up: /etc/services for ports
// (getservbyname/getservbyport read it through nsswitch "files"), and the system resolver for
// hosts (gethostbyname/gethostbyaddr; here getent and getnameinfo, which follow nsswitch too).
import { execFileSync } from 'node:child_process';
import { lookupService } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import type { Protocol } from '../model/types.js';

interface ServiceEntry {
  name: string;
  aliases: string[];
  port: number;
  protocol: string;
}

/** Parses /etc/services text: "name port/proto [aliases...] [# comment]". */
export function parseServices(text: string): ServiceEntry[] {
  const entries: ServiceEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [name, portProto, ...aliases] = line.split(/\s+/);
    const match = /^(\d+)\/(\S+)$/.exec(portProto ?? '');
    if (!name || !match) continue;
    entries.push({ name, aliases, port: Number(match[1]), protocol: match[2] ?? '' });
  }
  return entries;
}

export class ServiceNames {
  private constructor(private readonly entries: readonly ServiceEntry[]) {}

  static fromFile(path = '/etc/services'): ServiceNames {
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      // No services database: every port prints as a number, as getservbyport would then.
    }
    return new ServiceNames(parseServices(text));
  }

  static fromText(text: string): ServiceNames {
    return new ServiceNames(parseServices(text));
  }

  /** getservbyport: the first entry for the port and protocol, its official name. */
  nameOf(port: number, protocol: Protocol | undefined): string | undefined {
    if (protocol === undefined) return undefined;
    return this.entries.find((e) => e.port === port && e.protocol === protocol)?.name;
  }

  /** getservbyname: by official name or alias. */
  portOf(name: string, protocol: Protocol | undefined): number | undefined {
    if (protocol === undefined) return undefined;
    return this.entries.find(
      (e) => e.protocol === protocol && (e.name === name || e.aliases.includes(name)),
    )?.port;
  }
}

/** gethostbyname for IPv4, through getent (glibc's resolver, nsswitch order). */
export function hostToIpv4(name: string): string | undefined {
  try {
    const out = execFileSync('getent', ['ahostsv4', name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split(/\s+/)[0] || undefined;
  } catch {
    return undefined;
  }
}

/** gethostbyaddr for many addresses at once: address -> name, absent when it has none. */
export async function reverseNames(addresses: Iterable<string>): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  await Promise.all(
    [...new Set(addresses)].map(async (address) => {
      try {
        const { hostname } = await lookupService(address, 0);
        // getnameinfo falls back to the numeric form when asked for no name; that is no name.
        if (hostname && hostname !== address) names.set(address, hostname);
      } catch {
        // No name for it: printed as a number, as ipvsadm does.
      }
    }),
  );
  return names;
}
