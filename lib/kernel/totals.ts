// The namespace's totals. The kernel keeps them in ipvs->tot_stats and shows them only in
// /proc/net/ip_vs_stats (read from the handle's namespace), as ip_vs_stats_show() prints them:
// two header lines, the five counters, a blank line, one header line, the five rates; every
// number in hexadecimal (%8LX / %16LX), as node_exporter's procfs reader also reads them.
import type { Stats } from '../model/types.js';

const HEX = /^[0-9A-Fa-f]+$/;

function fiveNumbers(line: string | undefined, what: string): bigint[] {
  const fields = (line ?? '').trim().split(/\s+/);
  if (fields.length !== 5 || !fields.every((f) => HEX.test(f))) {
    throw new Error(`unreadable /proc/net/ip_vs_stats ${what} line: ${line ?? '(missing)'}`);
  }
  return fields.map((f) => BigInt(`0x${f}`));
}

/** Parses /proc/net/ip_vs_stats; anything but the kernel's layout is an error naming the line. */
export function parseTotals(text: string): Stats {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (!lines[0]?.includes('Total') || !lines[1]?.includes('Conns')) {
    throw new Error(`unexpected /proc/net/ip_vs_stats header: ${lines[0] ?? '(empty)'}`);
  }
  const [conns, inPkts, outPkts, inBytes, outBytes] = fiveNumbers(lines[2], 'counters');
  if (!lines[3]?.includes('Conns/s')) {
    throw new Error(`unexpected /proc/net/ip_vs_stats rates header: ${lines[3] ?? '(missing)'}`);
  }
  const [cps, inPps, outPps, inBps, outBps] = fiveNumbers(lines[4], 'rates');
  // fiveNumbers returned five numbers each: the destructured names are all defined.
  return {
    conns: conns ?? 0n,
    inPkts: inPkts ?? 0n,
    outPkts: outPkts ?? 0n,
    inBytes: inBytes ?? 0n,
    outBytes: outBytes ?? 0n,
    cps: cps ?? 0n,
    inPps: inPps ?? 0n,
    outPps: outPps ?? 0n,
    inBps: inBps ?? 0n,
    outBps: outBps ?? 0n,
  };
}
