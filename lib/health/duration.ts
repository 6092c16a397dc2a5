// Durations in the config: a number of milliseconds, or a string with a unit ("200ms", "2s",
// "1.5s", "1m"), so that a YAML file reads as people write intervals.

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined when the value is not a duration. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(value);
  if (!match) return undefined;
  const [, amount = '', unit = ''] = match;
  const factor = UNITS[unit];
  return factor === undefined ? undefined : Math.round(Number(amount) * factor);
}
