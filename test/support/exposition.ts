// Reads Prometheus' text exposition format into samples, for comparing two exporters: label
// order does not matter (Go's client sorts labels, prom-client keeps ours), values as numbers
// (Go writes 1.23e+06 where we write 1230000).
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/y;

function unescape(value: string): string {
  return value.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (!m?.[1]) throw new Error(`unreadable labels in: ${line}`);
    labels[m[1]] = unescape(m[2] ?? '');
  }
  return labels;
}

export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m?.[1] || m[3] === undefined) throw new Error(`unreadable sample line: ${line}`);
    samples.push({ name: m[1], labels: parseLabels(m[2] ?? '', line), value: Number(m[3]) });
  }
  return samples;
}

/** A label set as one text, independent of the labels' order. */
export function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

/** The samples of the families whose names start with `prefix`, by "name labelKey". */
export function byKey(samples: readonly Sample[], prefix: string): Map<string, number> {
  return new Map(
    samples
      .filter((s) => s.name.startsWith(prefix))
      .map((s) => [`${s.name} ${labelKey(s.labels)}`, s.value]),
  );
}
