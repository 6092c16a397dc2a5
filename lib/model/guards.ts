// Shape checks on untyped input (config files, JSON, the addon's replies), shared by every parser.

/** A plain object: not null, not an array. What a JSON or YAML mapping is. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a caught value says: an Error's message, or the value as text (a throw of anything). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
