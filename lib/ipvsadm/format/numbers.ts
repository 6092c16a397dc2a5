// ipvsadm's print_largenum: nine columns, K/M/G/T above 100 million unless --exact.

export function largeNumber(value: bigint, exact: boolean): string {
  if (exact) {
    const digits = value.toString();
    return digits.padStart(digits.length <= 8 ? 9 : digits.length + 1);
  }
  if (value < 100_000_000n) return value.toString().padStart(9);
  if (value < 1_000_000_000n) return `${(value / 1000n).toString().padStart(8)}K`;
  if (value < 100_000_000_000n) return `${(value / 1_000_000n).toString().padStart(8)}M`;
  if (value < 100_000_000_000_000n) return `${(value / 1_000_000_000n).toString().padStart(8)}G`;
  return `${(value / 1_000_000_000_000n).toString().padStart(8)}T`;
}

/** printf's %-Ns and %Ns. */
export const left = (text: string | number, width: number): string => String(text).padEnd(width);
export const right = (text: string | number, width: number): string => String(text).padStart(width);

/** printf's %d of an unsigned 32-bit value. */
export const signed32 = (value: number): number => value | 0;
