// The text field of the packed records (native/addon/packed_record.h), shared by both packers.

/**
 * Writes `value` at `at` as a length byte and then its characters; at most `capacity`
 * characters, ASCII only (names, addresses and paths are). A plain loop beats Buffer.write here,
 * whose call into C++ costs more than these few bytes.
 */
export function writePackedText(
  bytes: Uint8Array,
  at: number,
  capacity: number,
  value: string | undefined,
): void {
  if (value === undefined) {
    bytes[at] = 0;
    return;
  }
  const length = value.length;
  if (length > capacity) throw new RangeError(`'${value}' is longer than ${capacity} characters`);
  bytes[at] = length;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0x7e) throw new RangeError(`'${value}' is not ASCII`);
    bytes[at + 1 + i] = code;
  }
}

/** The text written at `at` by writePackedText ('' when none was). */
export function readPackedText(bytes: Uint8Array, at: number): string {
  const length = bytes[at] ?? 0;
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(bytes[at + 1 + i] ?? 0);
  return text;
}
