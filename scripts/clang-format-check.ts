// Checks (or with --fix, applies) .clang-format on every C/C++ file under native/ and benchmarks/.
// Uses the clang-format binary shipped in the clang-format-node package, so no system install.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { clangFormatPath } from 'clang-format-node';

const fix = process.argv.includes('--fix');
const roots = ['native', 'benchmarks'];
const sources: string[] = [];
const walk = (dir: string): void => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (/\.(c|cc|cpp|h|hh|hpp)$/.test(entry.name)) sources.push(path);
  }
};
for (const root of roots) {
  try {
    walk(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
if (sources.length === 0) process.exit(0);
const args = fix ? ['-i', ...sources] : ['--dry-run', '--Werror', ...sources];
const result = spawnSync(clangFormatPath, args, { stdio: 'inherit' });
if (result.status !== 0 && !fix) {
  console.error('clang-format: the files above differ from .clang-format; run `npm run format`');
}
process.exit(result.status ?? 1);
