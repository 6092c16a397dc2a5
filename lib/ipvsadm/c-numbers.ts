// The C library's number and address readers as ipvsadm uses them, so that the CLI accepts and
// refuses exactly what ipvsadm does.

/** strtol(s, &end, 10) that must consume the whole string (ipvsadm's string_to_number). */
export function wholeDecimal(text: string): number | undefined {
  const match = /^[ \t\n\v\f\r]*([+-]?\d+)$/.exec(text);
  if (!match?.[1]) return undefined;
  const value = Number(match[1]);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** ipvsadm's string_to_number: the value, or undefined when it is not a whole number in range. */
export function numberInRange(text: string, min: number, max: number): number | undefined {
  const value = wholeDecimal(text);
  return value !== undefined && value >= min && value <= max ? value : undefined;
}

/** One part of inet_aton: strtoul base 0 (0x hex, leading 0 octal, else decimal). */
function atonPart(text: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]*$/.test(text)) return text.length === 2 ? 0 : parseInt(text.slice(2), 16);
  if (/^0[0-7]*$/.test(text)) return parseInt(text, 8);
  if (/^[1-9]\d*$/.test(text)) return Number(text);
  return undefined;
}

/** inet_aton: a.b.c.d, a.b.c (c 16 bits), a.b (b 24 bits) or a (32 bits); dotted quad out. */
export function inetAton(text: string): string | undefined {
  const parts = text.split('.').map(atonPart);
  if (parts.length < 1 || parts.length > 4 || parts.some((p) => p === undefined)) return undefined;
  const numbers = parts as number[];
  const last = numbers[numbers.length - 1] ?? 0;
  const leading = numbers.slice(0, -1);
  if (leading.some((p) => p > 255)) return undefined;
  const lastBits = 8 * (5 - numbers.length);
  if (last >= 2 ** lastBits) return undefined;
  let value = 0;
  leading.forEach((p, i) => (value += p * 2 ** (24 - 8 * i)));
  value += last;
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Whether the string is all digits (ipvsadm's str_is_digit; true for the empty string). */
export function allDigits(text: string): boolean {
  return /^\d*$/.test(text);
}
