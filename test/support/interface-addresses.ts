// The addresses on an interface as the kernel reports them (ip -j address show), read from a
// namespace: how a VRRP test sees which router holds the virtual address, whoever put it there.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface InterfaceAddress {
  /** Without prefix length, as ip prints it. */
  address: string;
  prefixLength: number;
  /** The ip-address label (IPv4 only), e.g. "eth0:vip". */
  label?: string;
  /** IPv6 only: duplicate address detection has not finished. */
  tentative: boolean;
}

interface IpAddrInfo {
  local?: string;
  prefixlen?: number;
  label?: string;
  tentative?: boolean;
}

/** The addresses on `ifname` in namespace `ns`; without blocking this process's event loop. */
export async function interfaceAddresses(ns: string, ifname: string): Promise<InterfaceAddress[]> {
  const { stdout } = await execFileAsync('ip', ['-n', ns, '-j', 'address', 'show', 'dev', ifname]);
  const links = JSON.parse(stdout) as Array<{ addr_info?: IpAddrInfo[] }>;
  return links.flatMap((link) =>
    (link.addr_info ?? []).flatMap((info) =>
      info.local === undefined
        ? []
        : [
            {
              address: info.local,
              prefixLength: info.prefixlen ?? 0,
              ...(info.label !== undefined ? { label: info.label } : {}),
              tentative: info.tentative === true,
            },
          ],
    ),
  );
}

/** Whether `address` (no prefix) is on `ifname` in `ns`. */
export async function hasAddress(ns: string, ifname: string, address: string): Promise<boolean> {
  return (await interfaceAddresses(ns, ifname)).some((a) => a.address === address);
}
