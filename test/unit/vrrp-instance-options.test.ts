// A validated vrrp entry drives the state machine and the receive checks with its own values: an
// instance built from the example elects and accepts as configured.
import { describe, expect, it } from 'vitest';
import { validateVrrpConfig } from '../../lib/vrrp/config.js';
import { machineOptions, receivingInstance } from '../../lib/vrrp/instance-options.js';
import { encodeAdvertisement } from '../../lib/vrrp/packet.js';
import { acceptDatagram } from '../../lib/vrrp/receive.js';
import { VrrpStateMachine } from '../../lib/vrrp/state-machine.js';

const [config] = validateVrrpConfig([
  {
    name: 'VI_1',
    interface: 'eth0',
    virtualRouterId: 51,
    priority: 150,
    advertisementInterval: '2s',
    preemptDelay: '30s',
    virtualAddresses: ['192.168.8.200/24'],
  },
]);
if (config === undefined) throw new Error('the example did not validate');

describe('instance options from the config', () => {
  it('gives the state machine the interval in centiseconds and the preemption', () => {
    expect(machineOptions(config, '192.168.8.10')).toEqual({
      version: 2,
      family: 'ipv4',
      priority: 150,
      intervalCentiseconds: 200,
      primaryAddress: '192.168.8.10',
      preempt: true,
      preemptDelayMs: 30_000,
    });
    const machine = new VrrpStateMachine(machineOptions(config, '192.168.8.10'));
    // 3 x 2 s + (256 - 150) / 256 s
    expect(machine.start()).toContainEqual({
      type: 'set-timer',
      timer: 'master-down',
      ms: 6414.0625,
    });
  });

  it('accepts a peer advertising the configured interval and drops one that does not', () => {
    const instance = receivingInstance(config, '192.168.8.10');
    const ip = { source: '192.168.8.11', destination: '224.0.0.18' };
    const advert = {
      version: 2,
      family: 'ipv4',
      virtualRouterId: 51,
      priority: 100,
      intervalCentiseconds: 200,
      addresses: ['192.168.8.200'],
    } as const;
    const datagram = (intervalCentiseconds: number) => ({
      payload: encodeAdvertisement({ ...advert, intervalCentiseconds }),
      ...ip,
      ttl: 255,
    });
    expect(acceptDatagram(datagram(200), instance)).toMatchObject({
      ok: true,
      addressesMatch: true,
    });
    expect(acceptDatagram(datagram(100), instance)).toMatchObject({
      ok: false,
      reason: 'interval-mismatch',
    });
  });
});
