// The bench runs in a network namespace of its own, so that it never touches the table of the
// namespace it was started in: the main thread unshares (children spawned later, ipvsadm and the
// floor, inherit it), then a dummy interface gets an address covering every real server.
import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { loadNative } from '../lib/kernel/binding.js';
import { INTERFACE_ADDRESS } from './workload.js';

const native = loadNative();

export function enterFreshNetworkNamespace(): void {
  const before = readlinkSync('/proc/self/ns/net');
  native.unshareNetwork();
  if (readlinkSync('/proc/self/ns/net') === before)
    throw new Error('bench: still in the original network namespace');
  // One `ip` process for the four commands: process starts are dear under TCG.
  const commands = [
    'link set lo up',
    'link add bench0 type dummy',
    `address add ${INTERFACE_ADDRESS} dev bench0`,
    'link set bench0 up',
  ];
  execFileSync('ip', ['-batch', '-'], {
    input: `${commands.join('\n')}\n`,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
}
