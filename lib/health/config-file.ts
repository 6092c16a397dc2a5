// Reads a config file, YAML or JSON (JSON is read as YAML 1.2, of which it is a subset), and
// validates it. Errors say the file, the line and the path inside the file.
import { readFile } from 'node:fs/promises';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { validateHealthConfig, type ValidateOptions } from './config.js';
import { HealthConfigError, type ConfigPath } from './config-error.js';
import type { HealthConfig } from './types.js';

/** The line of the deepest node along `path` that the document has. */
function lineOf(doc: Document, lines: LineCounter, path: ConfigPath): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/**
 * Parses config text and validates it with `validate`; `file` names it in errors, and a
 * HealthConfigError gets the line of its path. Layers above health (the serve config's `vrrp`
 * list) validate their own sections through it.
 */
export function parseConfigDocument<T>(
  text: string,
  file: string,
  validate: (value: unknown) => T,
): T {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const [syntax] = doc.errors;
  if (syntax) {
    const line = lines.linePos(syntax.pos[0]).line;
    throw new HealthConfigError(
      [],
      `is not valid YAML or JSON: ${syntax.message.split('\n')[0] ?? ''}`,
    ).locate(file, line);
  }
  try {
    return validate(doc.toJS({ maxAliasCount: 100 }) as unknown);
  } catch (error) {
    if (error instanceof HealthConfigError)
      throw error.locate(file, lineOf(doc, lines, error.path));
    throw error;
  }
}

/** Parses and validates config text; `file` names it in errors. */
export function parseHealthConfig(
  text: string,
  file: string,
  options: ValidateOptions = {},
): HealthConfig {
  return parseConfigDocument(text, file, (value) => validateHealthConfig(value, options));
}

export async function loadHealthConfig(
  file: string,
  options: ValidateOptions = {},
): Promise<HealthConfig> {
  return parseHealthConfig(await readFile(file, 'utf8'), file, options);
}
