// Writes latest.json and latest.svg into the output folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Results } from '../results.js';
import { svg } from './svg.js';

export function writeResults(results: Results, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const json = join(outDir, 'latest.json');
  const chart = join(outDir, 'latest.svg');
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(chart, svg(results));
  return [json, chart];
}
