// Counters and rates all at zero: what the kernel reports for a rule no packet has used.
import type { Stats } from '../../lib/index.js';

export const zeroStats: Stats = {
  conns: 0n,
  inPkts: 0n,
  outPkts: 0n,
  inBytes: 0n,
  outBytes: 0n,
  cps: 0n,
  inPps: 0n,
  outPps: 0n,
  inBps: 0n,
  outBps: 0n,
};
