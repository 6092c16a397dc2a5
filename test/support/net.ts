// Network set-up shared by kernel tests: an interface with addresses so that the kernel accepts
// direct-routing and tunnel destinations (it checks that a route to the real server exists).
import { sh } from './sh.js';

export function addLan(name = 'lan0'): void {
  sh('ip', 'link', 'add', name, 'type', 'dummy');
  sh('ip', 'address', 'add', '192.168.8.10/24', 'dev', name);
  sh('ip', 'address', 'add', '2001:db8:8::10/64', 'dev', name, 'nodad');
  sh('ip', 'link', 'set', name, 'up');
}

/**
 * A real servers' namespace for NAT, behind a veth pair: this namespace (the director) is
 * 10.8.0.1/24 on veth-d and the real servers' default gateway, with ip_forward on; the real
 * servers' addresses (in 10.8.0.0/24) are on veth-r inside `netns`.
 */
export function addNatRealServers(netns: string, addresses: readonly string[]): void {
  sh('ip', 'netns', 'add', netns);
  sh('ip', 'link', 'add', 'veth-d', 'type', 'veth', 'peer', 'name', 'veth-r', 'netns', netns);
  sh('ip', 'address', 'add', '10.8.0.1/24', 'dev', 'veth-d');
  sh('ip', 'link', 'set', 'veth-d', 'up');
  sh('ip', '-n', netns, 'link', 'set', 'lo', 'up');
  for (const address of addresses)
    sh('ip', '-n', netns, 'address', 'add', `${address}/24`, 'dev', 'veth-r');
  sh('ip', '-n', netns, 'link', 'set', 'veth-r', 'up');
  sh('ip', '-n', netns, 'route', 'add', 'default', 'via', '10.8.0.1');
  sh('sysctl', '-qw', 'net.ipv4.ip_forward=1');
}
