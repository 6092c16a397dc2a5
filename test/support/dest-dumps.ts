// A stand-in kernel's answer to dumpDestinations(): every service has the same destinations.
import type { NativeDestDumps, NativeTable } from '../../lib/kernel/native.js';

export function sameDestinationsEach(dumps: number, dests: NativeTable): NativeDestDumps {
  const n = dests.count;
  const numbers = new Uint32Array(dumps * dests.numbers.length);
  const stats = new BigUint64Array(dumps * dests.stats.length);
  for (let i = 0; i < dumps; i++) {
    numbers.set(dests.numbers, i * dests.numbers.length);
    stats.set(dests.stats, i * dests.stats.length);
  }
  return {
    errors: new Int32Array(dumps),
    ends: Uint32Array.from({ length: dumps }, (_, i) => (i + 1) * n),
    dests: { count: dumps * n, numbers, stats, texts: dests.texts.repeat(dumps) },
  };
}
