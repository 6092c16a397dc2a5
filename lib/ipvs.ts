// The public handle: the core handle's whole IPVS surface, plus the declarative operations built
// on it (apply and drain live a layer above the core, so they are added here, not in core/).
import { apply, type ApplyOptions, type ApplyResult } from './apply/apply.js';
import { drain, type DrainOptions, type DrainResult } from './apply/drain.js';
import { IpvsHandle } from './core/handle.js';
import type { DesiredState } from './state/schema.js';
import type { DestinationKey, ServiceKey } from './model/types.js';

export class Ipvs extends IpvsHandle {
  /** Makes the table match `desired` with a minimal plan, in batches (see lib/apply/apply.ts). */
  async apply(desired: DesiredState, options: ApplyOptions = {}): Promise<ApplyResult> {
    return apply(this, desired, options);
  }

  /** Weight 0, wait for the destination's connections to end (or the timeout), then delete it. */
  async drain(
    service: ServiceKey,
    destination: DestinationKey,
    options: DrainOptions = {},
  ): Promise<DrainResult> {
    return drain(this, service, destination, options);
  }
}
