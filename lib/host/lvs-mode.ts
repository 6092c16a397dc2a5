// The three LVS forwarding methods by their usual names, for the real-server preparation and the
// checks. Input accepts every name the Ipvs API accepts for a destination's `forward`.
import { forwardMethod } from '../core/validate.js';

export type LvsMode = 'nat' | 'dr' | 'tun';

const BY_FORWARD = { masq: 'nat', route: 'dr', tunnel: 'tun' } as const;

/** 'nat' | 'dr' | 'tun' from any of masq/nat/-m, route/dr/gate/-g, tunnel/tun/ipip/-i. */
export function lvsMode(field: string, value: unknown): LvsMode {
  if (value === undefined) throw new TypeError(`${field} is required: 'nat', 'dr' or 'tun'`);
  return BY_FORWARD[forwardMethod(field, value)];
}
