// The chart (benchmarks/results/latest.svg), written by hand: per scenario, one horizontal bar per
// contender for its median ops/s on a log scale, with a min-max whisker over the repetitions; below
// them, when the run has scenario (g), the cost per service as the table grows (scaling-svg.ts).
import { summarize, type Results, type Scenario } from '../results.js';
import { SCALING_PANEL_HEIGHT, scalingPanel } from './scaling-svg.js';
import { escape } from './xml.js';

const WIDTH = 960;
const LABEL = 230;
const VALUE = 110;
const ROW = 20;
const HEAD = 26;
const PLOT = WIDTH - LABEL - VALUE - 20;

const TITLES: Record<Scenario, string> = {
  create: 'create: services and destinations added (ops/s)',
  delete: 'delete: services deleted (ops/s)',
  churn: 'churn: destinations re-weighted, added, removed (ops/s)',
  list: 'list with destinations and stats (entries/s)',
};

function colour(contender: string): string {
  if (contender.startsWith('floor')) return '#7f7f7f';
  if (contender.startsWith('ipvs-native')) return '#1f77b4';
  return '#d62728';
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3));

export function svg(results: Results): string {
  const all = results.measurements.map((m) => ({ m, s: summarize(m) }));
  const lo = Math.floor(Math.log10(Math.min(...all.map((a) => a.s.minOpsPerSecond))));
  const hi = Math.ceil(Math.log10(Math.max(...all.map((a) => a.s.maxOpsPerSecond))));
  const xOf = (v: number) => LABEL + ((Math.log10(v) - lo) / Math.max(1, hi - lo)) * PLOT;
  const body: string[] = [];
  let y = 40;
  for (const scenario of ['create', 'delete', 'churn', 'list'] as const) {
    const rows = all.filter((a) => a.m.scenario === scenario);
    if (rows.length === 0) continue;
    body.push(`<text x="10" y="${y + 16}" font-weight="bold">${escape(TITLES[scenario])}</text>`);
    y += HEAD;
    const top = y;
    for (const { m, s } of rows) {
      const bar = xOf(s.opsPerSecond) - LABEL;
      const label = m.contender + (m.sampled ? ' (sample)' : '');
      body.push(
        `<text x="${LABEL - 6}" y="${y + 14}" text-anchor="end">${escape(label)}</text>`,
        `<rect x="${LABEL}" y="${y + 3}" width="${Math.max(1, bar).toFixed(1)}" height="${ROW - 6}" fill="${colour(m.contender)}"/>`,
        `<line x1="${xOf(s.minOpsPerSecond).toFixed(1)}" x2="${xOf(s.maxOpsPerSecond).toFixed(1)}" y1="${y + ROW / 2}" y2="${y + ROW / 2}" stroke="#000"/>`,
        `<text x="${(LABEL + Math.max(1, bar) + 6).toFixed(1)}" y="${y + 14}">${fmt(s.opsPerSecond)}</text>`,
      );
      y += ROW;
    }
    for (let p = lo; p <= hi; p++) {
      const x = xOf(10 ** p).toFixed(1);
      body.push(
        `<line x1="${x}" x2="${x}" y1="${top}" y2="${y}" stroke="#ccc" stroke-dasharray="2,2"/>`,
      );
      body.push(
        `<text x="${x}" y="${y + 12}" text-anchor="middle" fill="#666" font-size="10">1e${p}</text>`,
      );
    }
    y += 22;
  }
  if (results.scaling && results.scaling.length > 0) {
    body.push(...scalingPanel(results.scaling, y));
    y += SCALING_PANEL_HEIGHT;
  }
  const e = results.environment;
  const o = results.options;
  const header = `ipvs-native rule churn and listing: ${o.services} services x ${o.dests} destinations, ${o.rounds} churn round(s), median of ${o.reps} (whiskers: min-max), log scale`;
  const footer = `${e.where}${e.where === 'lab' ? ` (${e.accel})` : ''}, kernel ${e.kernel}, ${e.cpu}${e.hostCpu ? ` on ${e.hostCpu}` : ''}, node ${e.node}, ${e.date.slice(0, 10)}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y + 30}" viewBox="0 0 ${WIDTH} ${y + 30}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="13">${escape(header)}</text>`,
    ...body,
    `<text x="10" y="${y + 10}" fill="#666" font-size="10">${escape(footer)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
