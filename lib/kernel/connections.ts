// The connection table. The kernel has no netlink command for it: /proc/net/ip_vs_conn is the
// interface (read from the handle's namespace), formatted by ip_vs_conn_seq_show().
import { canonicalAddress } from '../model/identity.js';
import type { Connection, Endpoint } from '../model/types.js';

/** IPv4 as 8 hex digits (C0A808C8), or IPv6 as the kernel's %pI6 (2001:0db8:...:0001). */
function addressFromProc(text: string): string {
  if (/^[0-9A-Fa-f]{8}$/.test(text)) {
    return [0, 2, 4, 6].map((i) => parseInt(text.slice(i, i + 2), 16)).join('.');
  }
  return canonicalAddress(text);
}

function endpointFromProc(address: string, port: string): Endpoint {
  return { address: addressFromProc(address), port: parseInt(port, 16) };
}

/** Parses /proc/net/ip_vs_conn. Lines it cannot read are an error, never silently dropped. */
export function parseConnections(text: string): Connection[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) return [];
  if (!lines[0]?.startsWith('Pro '))
    throw new Error(`unexpected /proc/net/ip_vs_conn header: ${lines[0] ?? ''}`);
  return lines.slice(1).map((line) => {
    const fields = line.trim().split(/\s+/);
    const [protocol, cip, cport, vip, vport, dip, dport, state, expires, peName, ...peData] =
      fields;
    if (
      !protocol ||
      !cip ||
      !cport ||
      !vip ||
      !vport ||
      !dip ||
      !dport ||
      !state ||
      !expires ||
      !/^\d+$/.test(expires)
    ) {
      throw new Error(`unreadable /proc/net/ip_vs_conn line: ${line}`);
    }
    return {
      protocol: protocol.toLowerCase(),
      client: endpointFromProc(cip, cport),
      virtual: endpointFromProc(vip, vport),
      destination: endpointFromProc(dip, dport),
      state,
      expires: Number(expires),
      ...(peName ? { persistenceEngine: peName } : {}),
      ...(peData.length > 0 ? { persistenceData: peData.join(' ') } : {}),
    };
  });
}
