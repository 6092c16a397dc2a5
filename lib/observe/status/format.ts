// How the page writes numbers, rates, latencies and times: short, fixed units, the same on the
// server-rendered table and in the live updates (both are formatted here, on the server).

const SI = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/** 0, 999, 1.2k, 34k, 5.6M: three significant digits at most. */
export function shortCount(value: bigint | number): string {
  let n = Number(value);
  if (n < 1000) return String(Math.round(n));
  let unit = 0;
  while (n >= 999.5 && unit < SI.length - 1) {
    n /= 1000;
    unit++;
  }
  return `${n < 9.95 ? n.toFixed(1) : Math.round(n)}${SI[unit] ?? ''}`;
}

/** Bytes in decimal units: "0 B", "12 kB", "1.5 MB" (the page's column says "per second"). */
export function bytes(value: bigint | number): string {
  const text = shortCount(value);
  return /\d$/.test(text) ? `${text} B` : `${text.slice(0, -1)} ${text.slice(-1)}B`;
}

/** A check's duration: "850 µs", "1.2 ms", "35 ms", "2.0 s". */
export function latency(seconds: number): string {
  if (seconds < 0.001) return `${Math.round(seconds * 1e6)} µs`;
  if (seconds < 0.01) return `${(seconds * 1000).toFixed(1)} ms`;
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  return `${seconds.toFixed(1)} s`;
}

/** A wall-clock time as the page shows it: "14:03:07Z" (UTC, so every viewer reads the same). */
export function clock(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)}Z`;
}
