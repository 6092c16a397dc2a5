// The package as another project sees it: `import { Ipvs } from 'ipvs-native'` resolves through
// package.json "exports" to dist/ (JavaScript) and its declarations (TypeScript, NodeNext).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const tsc = join(
  dirname(createRequire(import.meta.url).resolve('typescript/package.json')),
  'bin',
  'tsc',
);
let consumer: string;

beforeAll(() => {
  // dist/ is what "exports" points at: build it from the current sources first.
  execFileSync(process.execPath, [tsc, '-p', join(repo, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  consumer = mkdtempSync(join(tmpdir(), 'ipvs-native-consumer-'));
  mkdirSync(join(consumer, 'node_modules', '@types'), { recursive: true });
  symlinkSync(repo, join(consumer, 'node_modules', 'ipvs-native'));
  symlinkSync(
    join(repo, 'node_modules', '@types', 'node'),
    join(consumer, 'node_modules', '@types', 'node'),
  );
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', type: 'module', private: true }),
  );
}, 60_000);

afterAll(() => {
  rmSync(consumer, { recursive: true, force: true });
});

// tsc takes a few seconds per run, more on a busy machine.
describe('ipvs-native as a dependency', { timeout: 60_000 }, () => {
  it('imports from another package', () => {
    const script =
      "import { Ipvs, IpvsError, Batch } from 'ipvs-native'; console.log(typeof Ipvs.open, typeof IpvsError, typeof Batch);";
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: consumer,
      encoding: 'utf8',
    });
    expect(output.trim()).toBe('function function function');
  });

  it('type-checks a consumer against the published declarations', () => {
    writeFileSync(
      join(consumer, 'main.ts'),
      [
        "import { Ipvs, IpvsError, type Service, type DestinationSpec } from 'ipvs-native';",
        'export async function demo(): Promise<bigint> {',
        '  const ipvs = await Ipvs.open({ netns: "/run/netns/lb" });',
        "  const dest: DestinationSpec = { address: '192.168.8.20', forward: 'dr', weight: 1 };",
        "  await ipvs.addDestination({ protocol: 'tcp', address: '192.168.8.200', port: 80 }, dest);",
        '  const services: Service[] = await ipvs.listServices({ destinations: true });',
        '  ipvs.close();',
        '  return services[0]?.stats.conns ?? (new IpvsError(17, { op: "x", target: "y" }).errno === 17 ? 0n : 1n);',
        '}',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          noEmit: true,
          types: ['node'],
        },
        files: ['main.ts'],
      }),
    );
    execFileSync(process.execPath, [tsc, '-p', consumer], { cwd: consumer, encoding: 'utf8' });
  });

  it('rejects a misuse at compile time', () => {
    writeFileSync(
      join(consumer, 'main.ts'),
      "import { Ipvs } from 'ipvs-native';\nexport const p = Ipvs.open({ netns: 42 });\n",
    );
    let diagnostics = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', consumer], {
        cwd: consumer,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (error) {
      diagnostics = (error as { stdout?: string }).stdout ?? '';
    }
    expect(diagnostics).toMatch(/main\.ts\(2,.*'number' is not assignable to type 'string'/);
  });
});
