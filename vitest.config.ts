import { defineConfig } from 'vitest/config';

// Five suites. unit: pure code, anywhere, no privileges. kernel and e2e: need a kernel with IPVS
// (natively as root, or inside the lab; see test/run-kernel-suites.ts). Before each kernel/e2e
// file, its worker process moves into a fresh network namespace (the setup file runs again for
// every file), so files never see each other's IPVS rules. Workers are reused across files
// (isolate: false): under QEMU without hardware virtualisation, starting a worker and importing
// lib/ afresh for each file took longer than many of the files' tests.
const kernelSuite = (name: string) => ({
  test: {
    name,
    include: [`test/${name}/**/*.test.ts`],
    pool: 'forks' as const,
    isolate: false,
    setupFiles: ['test/support/fresh-netns.ts'],
    // QEMU without hardware virtualisation is some ten times slower than the host.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      kernelSuite('kernel'),
      kernelSuite('e2e'),
      // The status page in Debian's chromium (installed by the global setup when missing), on
      // the host against an in-memory table: chromium is too heavy for the lab under TCG.
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/browser/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 600_000,
        },
      },
      // The packed tarball installed into fresh projects (npm run test:package, from .ci/run via
      // scripts/package-check.sh): compiles, installs from the registry, runs arm64 under qemu.
      {
        test: {
          name: 'package',
          include: ['test/package/**/*.test.ts'],
          testTimeout: 900_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
