// The chart's second panel, scenario (g): time per service against table size, both on log scales,
// one line per measure. A flat line is cost linear in the table; a rising one is worse than linear.
import type { ScalingRow } from '../scenarios/scaling.js';
import { escape, escapeAttr } from './xml.js';

type Measure = keyof ScalingRow['seconds'];

const MEASURES: readonly { name: Measure; colour: string; marker: Marker }[] = [
  { name: 'create', colour: '#1f77b4', marker: 'circle' },
  { name: 'list', colour: '#2ca02c', marker: 'square' },
  { name: 'apply no-op', colour: '#ff7f0e', marker: 'triangle' },
  { name: 'apply one change', colour: '#9467bd', marker: 'diamond' },
];

type Marker = 'circle' | 'square' | 'triangle' | 'diamond';

const LEFT = 90;
const PLOT_WIDTH = 560;
const PLOT_HEIGHT = 240;
/** From the panel's top: the title, then the plot. */
const PLOT_TOP = 40;
/** Space kept inside the plot's ends so the first and last markers do not sit on its border. */
const INSET = 24;
const LEGEND = LEFT + PLOT_WIDTH + 30;
export const SCALING_PANEL_HEIGHT = PLOT_TOP + PLOT_HEIGHT + 50;

const perService = (row: ScalingRow, m: Measure) => (row.seconds[m] * 1e6) / row.services;
const size = (n: number) =>
  n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : n.toLocaleString('en-US');
const micros = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3));
const tick = (v: number) => (v >= 1 ? v.toLocaleString('en-US') : String(Number(v.toPrecision(1))));

function marker(shape: Marker, x: number, y: number, colour: string, tip: string): string {
  const title = `<title>${escape(tip)}</title>`;
  const at = (dx: number, dy: number) => `${(x + dx).toFixed(1)},${(y + dy).toFixed(1)}`;
  switch (shape) {
    case 'circle':
      return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="4" fill="${colour}">${title}</circle>`;
    case 'square':
      return `<rect x="${(x - 3.5).toFixed(1)}" y="${(y - 3.5).toFixed(1)}" width="7" height="7" fill="${colour}">${title}</rect>`;
    case 'triangle':
      return `<polygon points="${at(0, -5)} ${at(4.5, 3.5)} ${at(-4.5, 3.5)}" fill="${colour}">${title}</polygon>`;
    case 'diamond':
      return `<polygon points="${at(0, -5)} ${at(5, 0)} ${at(0, 5)} ${at(-5, 0)}" fill="${colour}">${title}</polygon>`;
  }
}

/** The panel's elements, drawn from `top` down over SCALING_PANEL_HEIGHT. */
export function scalingPanel(scaling: readonly ScalingRow[], top: number): string[] {
  const rows = [...scaling].sort((a, b) => a.services - b.services);
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last) return [];
  const values = rows
    .flatMap((r) => MEASURES.map((m) => perService(r, m.name)))
    .filter((v) => v > 0);
  const lo = Math.floor(Math.log10(Math.min(...values)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...values))));
  const plotTop = top + PLOT_TOP;
  const plotBottom = plotTop + PLOT_HEIGHT;
  const yOf = (v: number) =>
    plotBottom - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * PLOT_HEIGHT;
  const span = Math.log10(last.services / first.services);
  const xOf = (n: number) =>
    span === 0
      ? LEFT + PLOT_WIDTH / 2
      : LEFT + INSET + (Math.log10(n / first.services) / span) * (PLOT_WIDTH - 2 * INSET);

  const title = `scaling: time per service as the table grows (${first.dests} destinations each); a flat line means linear cost`;
  const out = [
    `<g id="scaling">`,
    `<text x="10" y="${top + 16}" font-weight="bold">${escape(title)}</text>`,
    `<rect x="${LEFT}" y="${plotTop}" width="${PLOT_WIDTH}" height="${PLOT_HEIGHT}" fill="none" stroke="#999"/>`,
  ];
  // Decades labelled, with 2 and 5 between them when the range is narrow enough to need them.
  const steps = hi - lo <= 2 ? [1, 2, 5] : [1];
  for (let p = lo; p <= hi; p++) {
    for (const step of steps) {
      const v = step * 10 ** p;
      if (p === hi && step > 1) break;
      const y = yOf(v).toFixed(1);
      const major = step === 1;
      out.push(
        `<line x1="${LEFT}" x2="${LEFT + PLOT_WIDTH}" y1="${y}" y2="${y}" stroke="${major ? '#bbb' : '#e4e4e4'}" stroke-dasharray="2,2"/>`,
        `<text x="${LEFT - 6}" y="${y}" dy="3" text-anchor="end" fill="${major ? '#444' : '#888'}" font-size="10">${tick(v)}</text>`,
      );
    }
  }
  for (const r of rows) {
    const x = xOf(r.services).toFixed(1);
    out.push(
      `<line x1="${x}" x2="${x}" y1="${plotTop}" y2="${plotBottom}" stroke="#e4e4e4"/>`,
      `<text x="${x}" y="${plotBottom + 14}" text-anchor="middle" fill="#444" font-size="10">${size(r.services)}</text>`,
    );
  }
  const middle = plotTop + PLOT_HEIGHT / 2;
  out.push(
    `<text x="${LEFT + PLOT_WIDTH / 2}" y="${plotBottom + 32}" text-anchor="middle">table size (services, log scale)</text>`,
    `<text x="30" y="${middle}" text-anchor="middle" transform="rotate(-90 30 ${middle})">µs per service (log scale)</text>`,
  );
  MEASURES.forEach((m, i) => {
    const points = rows.map((r) => ({ r, x: xOf(r.services), y: yOf(perService(r, m.name)) }));
    out.push(
      `<polyline data-measure="${escapeAttr(m.name)}" points="${points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')}" fill="none" stroke="${m.colour}" stroke-width="2"/>`,
      ...points.map((p) =>
        marker(
          m.marker,
          p.x,
          p.y,
          m.colour,
          `${m.name} at ${size(p.r.services)} services: ${micros(perService(p.r, m.name))} µs per service (${p.r.seconds[m.name].toPrecision(3)} s)`,
        ),
      ),
    );
    const y = plotTop + 12 + i * 22;
    const range = `${micros(perService(first, m.name))} → ${micros(perService(last, m.name))} µs`;
    out.push(
      `<line x1="${LEGEND}" x2="${LEGEND + 24}" y1="${y}" y2="${y}" stroke="${m.colour}" stroke-width="2"/>`,
      marker(m.marker, LEGEND + 12, y, m.colour, m.name),
      `<text x="${LEGEND + 32}" y="${y + 4}">${escape(`${m.name}: ${range}`)}</text>`,
    );
  });
  out.push(
    `<text x="${LEGEND}" y="${plotTop + 12 + MEASURES.length * 22 + 4}" fill="#666" font-size="10">${escape(`values: µs per service at ${size(first.services)} → at ${size(last.services)}`)}</text>`,
    '</g>',
  );
  return out;
}
