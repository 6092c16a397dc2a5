// A config error names where in the file the bad value is: its path ("services[0].check.interval")
// and, for a file, its line.
import { inspect } from 'node:util';

export type ConfigPath = ReadonlyArray<string | number>;

/** "services[0].check.interval" from ['services', 0, 'check', 'interval']. */
export function formatPath(path: ConfigPath): string {
  let text = '';
  for (const part of path)
    text += typeof part === 'number' ? `[${part}]` : text === '' ? part : `.${part}`;
  return text === '' ? '(top level)' : text;
}

export function show(value: unknown): string {
  return inspect(value, { depth: 1, breakLength: Infinity });
}

function sentence(path: ConfigPath, detail: string): string {
  return `${formatPath(path)}${/^[.[:]/.test(detail) ? '' : ' '}${detail}`;
}

export class HealthConfigError extends Error {
  override name = 'HealthConfigError';
  /** The path inside the config, as segments. */
  readonly path: ConfigPath;
  /** The file, when the config came from one. */
  file: string | undefined;
  /** 1-based line in the file, when known. */
  line: number | undefined;
  private readonly detail: string;

  constructor(path: ConfigPath, detail: string, options?: ErrorOptions) {
    super(sentence(path, detail), options);
    this.path = path;
    this.detail = detail;
  }

  /**
   * From a TypeError or RangeError of lib/validate.ts, whose message starts with the field it was
   * given (the path of the service or destination): the rest is kept as it is.
   */
  static fromFieldError(path: ConfigPath, cause: Error): HealthConfigError {
    const prefix = formatPath(path);
    if (!cause.message.startsWith(prefix))
      return new HealthConfigError(path, `: ${cause.message}`, { cause });
    // "services[0].destinations[1].tunnel.port must be ...": the field below `path` becomes part
    // of the path, so that the error points at its line.
    const rest = cause.message.slice(prefix.length);
    const [, fields = ''] = /^((?:\.[A-Za-z_]\w*|\[\d+\])*)/.exec(rest) ?? [];
    const deeper = [...fields.matchAll(/\.([A-Za-z_]\w*)|\[(\d+)\]/g)].map((m) =>
      m[1] === undefined ? Number(m[2]) : m[1],
    );
    return new HealthConfigError([...path, ...deeper], rest.slice(fields.length).trimStart(), {
      cause,
    });
  }

  /** Adds the file and line to the message. */
  locate(file: string, line: number | undefined): this {
    this.file = file;
    this.line = line;
    this.message = `${file}${line === undefined ? '' : `:${line}`}: ${sentence(this.path, this.detail)}`;
    return this;
  }
}
