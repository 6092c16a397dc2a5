// Shape checks on untyped input (config files, JSON, the addon's replies), shared by every parser.

/** A plain object: not null, not an array. What a JSON or YAML mapping is. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
