// What a running VRRP instance needs from the network, as interfaces: the instance runner is
// written and unit-tested against these with fakes, and the addon stays behind one file
// (native-network.ts). Errors from opening carry errno and the addon's step (VrrpNetworkError).
import type { IpFamily } from './address.js';
import type { VrrpDatagram } from './receive.js';

/** VRRP's socket on one interface: IP protocol 112, multicast group joined, TTL/hop limit 255. */
export interface VrrpChannel {
  readonly family: IpFamily;
  /** The interface's index in its namespace. */
  readonly ifindex: number;
  /** The next datagram, or null when `timeoutMs` passed first. One receive at a time. */
  receive(timeoutMs: number): Promise<VrrpDatagram | null>;
  /** One VRRP message to the group (224.0.0.18, ff02::12) or to a unicast peer. */
  send(message: Uint8Array, destination: string): void;
  /** Idempotent; a waiting receive() rejects. */
  close(): void;
}

/** Tells the link that an address is here now: gratuitous ARP (IPv4), unsolicited NA (IPv6). */
export interface Announcer {
  /** Sends one announcement for `address`, from the interface's own link-layer address. */
  announce(address: string): void;
  /** Idempotent. */
  close(): void;
}

/** Opens the above inside a namespace (a path such as /run/netns/NAME or /proc/self/ns/net). */
export interface VrrpNetwork {
  openChannel(netnsPath: string, ifname: string, family: IpFamily): Promise<VrrpChannel>;
  openAnnouncer(netnsPath: string, ifname: string): Promise<Announcer>;
}
