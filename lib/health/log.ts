// Structured logs: one record per event, as an object for a callback, or as JSON lines.
import type { Writable } from 'node:stream';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  /** ISO 8601 time. */
  time: string;
  level: LogLevel;
  /** What happened, as a stable name: 'destination-down', 'quorum-lost', 'repair', ... */
  event: string;
  [field: string]: unknown;
}

export type Logger = (record: LogRecord) => void;

/** A logger that writes each record as one line of JSON (bigints as strings). */
export function jsonLinesLogger(stream: Writable, minimum: LogLevel = 'info'): Logger {
  const rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  return (record) => {
    if (rank[record.level] < rank[minimum]) return;
    stream.write(
      `${JSON.stringify(record, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}\n`,
    );
  };
}
