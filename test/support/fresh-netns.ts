// Setup for every kernel and e2e test file: move this worker process into a new network namespace
// before the file runs. IPVS tables are per namespace, so each file starts from an empty table and
// nothing it does is seen by another file. Processes it spawns (ipvsadm, ip) inherit the namespace.
import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { afterAll } from 'vitest';
import { loadNative } from '../../lib/kernel/binding.js';
import { Ipvs } from '../../lib/ipvs.js';

const native = loadNative();

// Each file's table is emptied at the file's end, in this process, before its namespace is
// dropped (by the next file's unshare, or the worker's exit at the end of a project). Otherwise the
// kernel's namespace cleanup worker deletes it (1000 services and their estimators after
// health-scale.test.ts), and in whole-suite runs under TCG (6.12 once, 6.1 three times, always at
// the e2e-to-kernel hand-over, where the e2e workers exit) the guest deadlocked while the next
// files made the kernel load a module: hung tasks for modprobe, ipvsadm and the cleanup worker.
// The lab's guest now prints the blocked tasks' stacks when that happens (test/lab/guest/init.sh).
// A flush is one exchange. Only a namespace this setup made is flushed, never the one the run
// started in (a real director's, natively).
const MADE_HERE = 'IPVS_TEST_FRESH_NETNS';
async function flushThisFilesTable(): Promise<void> {
  if (process.env[MADE_HERE] !== readlinkSync('/proc/self/ns/net')) return;
  const ipvs = await Ipvs.open();
  try {
    await ipvs.flush();
  } finally {
    ipvs.close();
  }
}
// A file that ended without its hooks (a crash) left its table: empty it before leaving.
await flushThisFilesTable();
afterAll(flushThisFilesTable);

// /proc/self names the main thread, which is the thread that unshares.
const original = readlinkSync('/proc/self/ns/net');
native.unshareNetwork();
if (readlinkSync('/proc/self/ns/net') === original) {
  throw new Error('fresh-netns: the worker is still in its original network namespace');
}
execFileSync('ip', ['link', 'set', 'lo', 'up']);
process.env[MADE_HERE] = readlinkSync('/proc/self/ns/net');
