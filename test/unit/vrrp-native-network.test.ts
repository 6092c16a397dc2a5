// The VRRP network's errors, where no privilege is needed: a namespace that does not exist.
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { nativeVrrpNetwork, VrrpNetworkError } from '../../lib/vrrp/native-network.js';

const MISSING_NETNS = '/run/netns/ipvs-native-no-such-vrrp-namespace';

describe('nativeVrrpNetwork', () => {
  it('turns a missing namespace into a VrrpNetworkError with errno, step and op', async () => {
    const opening = nativeVrrpNetwork.openChannel(MISSING_NETNS, 'eth0', 'ipv4');
    await expect(opening).rejects.toBeInstanceOf(VrrpNetworkError);
    await expect(opening).rejects.toMatchObject({
      errno: os.constants.errno.ENOENT,
      code: 'ENOENT',
      step: 'netns-open',
      op: 'open the IPv4 VRRP socket on eth0',
      netns: MISSING_NETNS,
    });
  });

  it('names CAP_NET_RAW when permission is denied', () => {
    const error = new VrrpNetworkError(os.constants.errno.EPERM, 'socket', 'open x', '/n');
    expect(error.message).toBe(
      'open x in network namespace /n failed: permission denied (needs root / CAP_NET_RAW) [EPERM]',
    );
  });
});
