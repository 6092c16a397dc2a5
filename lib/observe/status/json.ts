// /status.json: the Snapshot as JSON. Counters and rates are 64-bit in the kernel, beyond what
// a JSON number carries exactly (2^53), so every bigint is written as a decimal string
// ("conns": "123456789012"); every other number is a JSON number. A side the snapshot lacks
// (a service the checker manages that the kernel does not have, a destination without a check,
// a check that has not run yet) is null rather than missing, so a consumer can tell "absent"
// from a field it does not know.
import type { Snapshot } from '../snapshot.js';

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined) return null;
  return value;
}

export function snapshotJson(snapshot: Snapshot): string {
  return JSON.stringify(snapshot, replacer);
}
