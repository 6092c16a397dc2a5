// The bench chart (benchmarks/report/svg.ts): well-formed XML, and the scaling panel of scenario (g)
// drawn from the run's figures (one line per measure, a point per table size, higher = costlier per
// service), present only when the run has the scenario.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { svg } from '../../benchmarks/report/svg.js';
import type { Results } from '../../benchmarks/results.js';
import type { ScalingRow } from '../../benchmarks/scenarios/scaling.js';

const SIZES = [1000, 10_000, 50_000, 100_000];
const MEASURES = ['create', 'list', 'apply no-op', 'apply one change'] as const;
/** µs per service, measure by size: all different, so every pair of points has an order. */
const PER_SERVICE: Record<(typeof MEASURES)[number], number[]> = {
  create: [4, 4, 4, 4],
  list: [1.9, 1.7, 2.1, 2.3],
  'apply no-op': [6.1, 5.8, 6.6, 9.5],
  'apply one change': [0.6, 3.2, 12, 31],
};

function lastRun(): Results {
  const url = new URL('../../benchmarks/results/latest.json', import.meta.url);
  const results = JSON.parse(readFileSync(url, 'utf8')) as Results;
  delete results.scaling;
  return results;
}

const perService = (measure: (typeof MEASURES)[number], i: number) =>
  PER_SERVICE[measure][i] ?? NaN;

function withScaling(): Results {
  const scaling: ScalingRow[] = SIZES.map((services, i) => {
    const seconds = (measure: (typeof MEASURES)[number]) =>
      (perService(measure, i) * services) / 1e6;
    return {
      services,
      dests: 2,
      seconds: {
        create: seconds('create'),
        list: seconds('list'),
        'apply no-op': seconds('apply no-op'),
        'apply one change': seconds('apply one change'),
      },
    };
  });
  // Largest first: the panel orders the sizes itself.
  return { ...lastRun(), scaling: scaling.reverse() };
}

const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[\da-f]+);/gi;
const TAG = /^<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>$/;

/** Why `xml` is not one well-formed element (tags balanced and nested, attributes quoted, every & an entity), or undefined. */
function malformed(xml: string): string | undefined {
  const stack: string[] = [];
  let roots = 0;
  for (const [token] of xml.matchAll(/<[^<>]*>|[^<]+|</g)) {
    if (token.replace(ENTITY, '').includes('&')) return `bare & in ${token}`;
    if (!token.startsWith('<')) {
      if (stack.length === 0 && token.trim() !== '') return `text outside the root: ${token}`;
      continue;
    }
    const tag = TAG.exec(token);
    if (!tag) return `malformed tag: ${token}`;
    const [, close, name = '', , selfClosing] = tag;
    if (close) {
      if (selfClosing) return `malformed tag: ${token}`;
      const open = stack.pop();
      if (open !== name) return `</${name}> closes <${open ?? 'nothing'}>`;
    } else {
      if (stack.length === 0) roots += 1;
      if (!selfClosing) stack.push(name);
    }
  }
  if (stack.length > 0) return `unclosed: ${stack.join(' > ')}`;
  return roots === 1 ? undefined : `${roots} root elements`;
}

interface Line {
  measure: string;
  points: { x: number; y: number }[];
}

function lines(chart: string): Line[] {
  return [...chart.matchAll(/<polyline data-measure="([^"]*)" points="([^"]*)"/g)].map((m) => ({
    measure: m[1] ?? '',
    points: (m[2] ?? '').split(' ').map((p) => {
      const [x, y] = p.split(',').map(Number);
      return { x: x ?? NaN, y: y ?? NaN };
    }),
  }));
}

describe('bench chart', () => {
  it('malformed() names what a browser would not parse', () => {
    expect(malformed('<svg><text>a</svg>')).toBe('</svg> closes <text>');
    expect(malformed('<svg><text>a & b</text></svg>')).toContain('bare &');
    expect(malformed('<svg><text>a < b</text></svg>')).toContain('malformed tag');
    expect(malformed('<svg><rect x=1/></svg>')).toContain('malformed tag');
    expect(malformed('<svg><g></svg>')).toBe('</svg> closes <g>');
    expect(malformed('<svg><g>')).toBe('unclosed: svg > g');
    expect(malformed('<svg/><svg/>')).toBe('2 root elements');
    expect(malformed('<svg><text>a &amp; b &lt; c</text><rect x="1"/></svg>')).toBeUndefined();
  });

  it('is well-formed XML with and without the scaling panel, text escaped', () => {
    for (const results of [lastRun(), withScaling()]) {
      results.environment.cpu = 'Xeon <"model"> & co';
      const chart = svg(results);
      expect(malformed(chart)).toBeUndefined();
      expect(chart).toContain('Xeon &lt;"model"&gt; &amp; co');
    }
  });

  it('draws one line per measure, a point per table size, left to right', () => {
    const chart = svg(withScaling());
    const drawn = lines(chart);
    expect(drawn.map((l) => l.measure)).toEqual([...MEASURES]);
    for (const line of drawn) {
      expect(line.points).toHaveLength(SIZES.length);
      const xs = line.points.map((p) => p.x);
      expect(xs).toEqual([...xs].sort((a, b) => a - b));
      expect(new Set(xs).size).toBe(SIZES.length);
    }
    for (const label of [
      '1k',
      '10k',
      '50k',
      '100k',
      'µs per service',
      'table size',
      'a flat line means linear cost',
    ])
      expect(chart).toContain(label);
  });

  it('puts a costlier point per service higher, and a constant cost per service on a flat line', () => {
    const drawn = lines(svg(withScaling()));
    const points = drawn.flatMap((line) =>
      line.points.map((p, i) => ({
        cost: perService(line.measure as (typeof MEASURES)[number], i),
        y: p.y,
      })),
    );
    const byCost = [...points].sort((a, b) => a.cost - b.cost);
    expect(byCost.every((p) => Number.isFinite(p.cost) && Number.isFinite(p.y))).toBe(true);
    byCost.forEach((costlier, i) => {
      const cheaper = byCost[i - 1];
      if (!cheaper) return;
      if (costlier.cost > cheaper.cost) expect(costlier.y).toBeLessThan(cheaper.y);
      else expect(costlier.y).toBe(cheaper.y);
    });
    const create = drawn.find((l) => l.measure === 'create');
    expect(new Set(create?.points.map((p) => p.y)).size).toBe(1);
  });

  it('without scenario (g) draws the bars alone, as before the panel existed', () => {
    const without = svg(lastRun());
    expect(without).not.toContain('id="scaling"');
    expect(without).not.toContain('<polyline');
    const withPanel = svg(withScaling());
    const bars = (chart: string) =>
      chart
        .replace(/<g id="scaling">[\s\S]*<\/g>\n/, '')
        .replace(/height="\d+" viewBox="0 0 960 \d+"/, '')
        .replace(/<text x="10" y="\d+" fill="#666" font-size="10">/, '');
    expect(withPanel).toContain('<g id="scaling">');
    expect(bars(withPanel)).toBe(bars(without));
  });
});
