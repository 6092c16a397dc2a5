// From one validated `vrrp` entry to what the state machine and the receive checks take, once the
// interface's primary address is known (it is read from the interface at start, not configured:
// RFC 5798 section 5.1.1.1 sends from it, and the tie-break on equal priority compares it).
import type { VrrpInstanceConfig } from './config.js';
import type { ReceivingInstance } from './receive.js';
import type { VrrpMachineOptions } from './state-machine.js';

export function machineOptions(
  config: VrrpInstanceConfig,
  primaryAddress: string,
): VrrpMachineOptions {
  return {
    version: config.version,
    family: config.family,
    priority: config.priority,
    // The config keeps milliseconds; validation made them whole centiseconds (v3) or seconds (v2).
    intervalCentiseconds: config.advertisementIntervalMs / 10,
    primaryAddress,
    preempt: config.preempt,
    preemptDelayMs: config.preemptDelayMs,
  };
}

export function receivingInstance(
  config: VrrpInstanceConfig,
  primaryAddress: string,
): ReceivingInstance {
  return {
    version: config.version,
    family: config.family,
    virtualRouterId: config.virtualRouterId,
    intervalCentiseconds: config.advertisementIntervalMs / 10,
    primaryAddress,
    addresses: config.virtualAddresses.map((vip) => vip.address),
  };
}
