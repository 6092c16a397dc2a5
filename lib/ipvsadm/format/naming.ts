// ipvsadm's addrport_to_anyname: "addr:port" ("[v6]:port"), with names unless -n. Its buffer is
// 60 bytes, so a longer result is cut at 59 characters.
import type { AddressFamily, Protocol } from '../../model/types.js';
import type { ServiceNames } from '../names.js';

export class Namer {
  constructor(
    readonly numeric: boolean,
    private readonly hosts: ReadonlyMap<string, string>,
    private readonly services: ServiceNames,
  ) {}

  addrPort(
    family: AddressFamily,
    address: string,
    port: number,
    protocol: Protocol | undefined,
  ): string {
    const [open, close] = family === 'ipv6' ? ['[', ']'] : ['', ''];
    if (this.numeric) return `${open}${address}${close}:${port}`.slice(0, 59);
    const host = this.hosts.get(address) ?? address;
    const service = this.services.nameOf(port, protocol) ?? String(port);
    return `${open}${host}${close}:${service}`.slice(0, 59);
  }
}
