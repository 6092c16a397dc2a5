// Importing the package, or any of its modules, must not load the addon: a program that only
// validates, plans or parses ipvsadm syntax runs where no addon was built, and one that does use
// the kernel learns of a missing addon from an AddonLoadError, not from a failed import.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return modules(path);
    // bin.ts runs the CLI when imported; what it imports is covered by cli/main.ts.
    return entry.name.endsWith('.ts') && entry.name !== 'bin.ts' ? [path] : [];
  });
}

// Imports each module in turn in a fresh Node, then prints the .node files the process mapped.
const SCRIPT = `
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
for (const file of JSON.parse(process.argv[1])) await import(pathToFileURL(file).href);
console.log(JSON.stringify([...new Set(readFileSync('/proc/self/maps', 'utf8').split('\\n')
  .map((line) => line.split(/\\s+/)[5] ?? '').filter((path) => path.endsWith('.node')))]));
`;

// Each case compiles all of lib/ through tsx in a fresh Node: seconds on a busy machine, so the
// default 5 s timeout is no bound for them.
describe('importing the library', { timeout: 60_000 }, () => {
  it('maps no .node file, whichever of lib/ is imported', () => {
    const files = modules(join(root, 'lib'));
    expect(files.map((file) => relative(root, file))).toContain('lib/index.ts');
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', SCRIPT, JSON.stringify(files)],
      { cwd: root, encoding: 'utf8' },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual([]);
  });

  it('would see the addon mapped once something asks for it', () => {
    const script = SCRIPT.replace(
      'console.log',
      "(await import(pathToFileURL('lib/kernel/binding.ts').href)).loadNative();\nconsole.log",
    );
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, '[]'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(child.status).toBe(0);
    const mapped = JSON.parse(child.stdout) as string[];
    expect(mapped).toHaveLength(1);
    expect(mapped[0]).toMatch(/\.node$/);
  });
});
