// /proc/net/ip_vs_stats as ip_vs_stats_show() prints it: "%8LX %8LX %8LX %16LX %16LX" twice.
import { describe, expect, it } from 'vitest';
import { parseTotals } from '../../lib/kernel/totals.js';

const kernelText =
  '   Total Incoming Outgoing         Incoming         Outgoing\n' +
  '   Conns  Packets  Packets            Bytes            Bytes\n' +
  '       1A      3E8        0           1E8480                0\n' +
  '\n' +
  ' Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n' +
  '        2       1F        0             FFFF                0\n';

describe('parseTotals', () => {
  it('reads the counters and rates in hexadecimal', () => {
    expect(parseTotals(kernelText)).toEqual({
      conns: 26n,
      inPkts: 1000n,
      outPkts: 0n,
      inBytes: 2_000_000n,
      outBytes: 0n,
      cps: 2n,
      inPps: 31n,
      outPps: 0n,
      inBps: 65535n,
      outBps: 0n,
    });
  });

  it('keeps 64-bit counters exact', () => {
    const text = kernelText.replace('1E8480', 'FFFFFFFFFFFFFFFF');
    expect(parseTotals(text).inBytes).toBe(2n ** 64n - 1n);
  });

  it('rejects anything but the kernel layout, naming the line', () => {
    expect(() => parseTotals('')).toThrow(/header/);
    expect(() => parseTotals(kernelText.replace('3E8', 'xyz'))).toThrow(/counters line: .*xyz/);
    expect(() => parseTotals(kernelText.replace(/ Conns\/s.*\n/, ''))).toThrow(/rates header/);
    expect(() => parseTotals(kernelText.replace(/\n {8}2 .*\n$/, '\n'))).toThrow(/rates line/);
  });
});
