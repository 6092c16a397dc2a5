// Bundles the `ipvs` command into dist/bin/: one entry file and a few chunks instead of the
// hundred-odd modules of lib/ and its dependencies. A process start reads a handful of files: on
// a slow disk (the lab's QEMU guests read the tree over 9p) `ipvs serve --check` started in 2-9 s
// bundled against 15-29 s from dist/cli/. Code loaded on demand stays on demand (the metrics
// client for --listen is a chunk of its own), and the addon is still found from the package root:
// dist/bin/ sits two levels under it, as every dist/ module does (lib/kernel/binding.ts).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/bin');
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { ipvs: 'lib/cli/bin.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CommonJS dependencies (node-gyp-build among them) call require(), which ESM does not have.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  // The addon is loaded from the package root; etcd3 reads its .proto files from its own folder.
  external: ['*.node', 'etcd3'],
  logLevel: 'warning',
});
