// The cheap check after every phase: what the kernel holds, read from /proc/net/ip_vs (of this
// process's network namespace), must be the table the operations should have left. A benchmark
// that silently failed operations would measure nothing.
import { readFileSync } from 'node:fs';
import type { TableShape } from './workload.js';

export function kernelTable(): TableShape {
  let services = 0;
  let dests = 0;
  let weightSum = 0;
  for (const line of readFileSync('/proc/net/ip_vs', 'utf8').split('\n')) {
    if (/^(TCP|UDP|SCTP|FWM) /.test(line)) services++;
    const dest = /^ {2}-> [0-9A-F]+:[0-9A-F]+\s+\S+\s+(\d+)/.exec(line);
    if (dest) {
      dests++;
      weightSum += Number(dest[1]);
    }
  }
  return { services, dests, weightSum };
}

export function expectTable(expected: TableShape, what: string): void {
  const actual = kernelTable();
  if (
    actual.services !== expected.services ||
    actual.dests !== expected.dests ||
    actual.weightSum !== expected.weightSum
  ) {
    throw new Error(
      `${what}: the kernel holds ${actual.services} services, ${actual.dests} destinations, weights summing to ${actual.weightSum}; ` +
        `expected ${expected.services}, ${expected.dests}, ${expected.weightSum}`,
    );
  }
}
