// keepalived.conf for one VRRP instance, written from the same words as issue 12's `vrrp` entry,
// so that a test reads the same for both peers. Only what the interoperability tests vary is here;
// everything else stays at keepalived 2.2.7's defaults (the peer as operators run it).

export interface KeepalivedInstance {
  /** vrrp_instance NAME; also router_id. */
  name: string;
  interface: string;
  virtualRouterId: number;
  /** 1-254 (255: the address owner). */
  priority: number;
  version: 2 | 3;
  /** Seconds; VRRPv3 takes fractions (centisecond resolution), VRRPv2 whole seconds. */
  advertisementInterval: number;
  /** With prefix length ("192.168.8.200/24", "2001:db8:8::200/64"); all of one family. */
  virtualAddresses: readonly string[];
  /** Default true. Off is keepalived's `nopreempt`. */
  preempt?: boolean;
  /** Seconds; keepalived's preempt_delay (0-1000). */
  preemptDelay?: number;
  /** keepalived's `state`: its initial wish. Default BACKUP (needed by nopreempt). */
  state?: 'MASTER' | 'BACKUP';
  /** Unicast instead of multicast: this side's source address, and the peers'. */
  unicast?: { source: string; peers: readonly string[] };
}

function isIpv6(address: string): boolean {
  return address.includes(':');
}

/** The label keepalived gives an IPv4 VIP (IPv6 addresses have no labels). */
export function vipLabel(instance: KeepalivedInstance): string {
  return `${instance.interface}:vip`;
}

export function keepalivedConfig(instance: KeepalivedInstance): string {
  const ipv6 = instance.virtualAddresses.some(isIpv6);
  if (ipv6 && instance.version !== 3) throw new Error('keepalived: IPv6 needs VRRP version 3');
  const interval = instance.advertisementInterval;
  if (instance.version === 2 && !Number.isInteger(interval))
    throw new Error(`keepalived: VRRPv2 intervals are whole seconds, got ${interval}`);
  const vips = instance.virtualAddresses.map((address) =>
    isIpv6(address)
      ? `    ${address} dev ${instance.interface}`
      : `    ${address} dev ${instance.interface} label ${vipLabel(instance)}`,
  );
  const lines = [
    'global_defs {',
    `  router_id ${instance.name}`,
    '}',
    `vrrp_instance ${instance.name} {`,
    `  state ${instance.state ?? 'BACKUP'}`,
    `  interface ${instance.interface}`,
    `  virtual_router_id ${instance.virtualRouterId}`,
    `  priority ${instance.priority}`,
    `  version ${instance.version}`,
    `  advert_int ${interval}`,
    // An IPv6 instance: adverts over IPv6 (ff02::12), not IPv4 carrying IPv6 addresses.
    ...(ipv6 ? ['  native_ipv6'] : []),
    ...(instance.preempt === false ? ['  nopreempt'] : []),
    ...(instance.preemptDelay !== undefined ? [`  preempt_delay ${instance.preemptDelay}`] : []),
    ...(instance.unicast
      ? [
          `  unicast_src_ip ${instance.unicast.source}`,
          '  unicast_peer {',
          ...instance.unicast.peers.map((peer) => `    ${peer}`),
          '  }',
        ]
      : []),
    '  virtual_ipaddress {',
    ...vips,
    '  }',
    '}',
    '',
  ];
  return lines.join('\n');
}
