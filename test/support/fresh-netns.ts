// Setup for every kernel and e2e test file: move this worker process into a new network namespace
// before the file runs. IPVS tables are per namespace, so each file starts from an empty table and
// nothing it does is seen by another file. Processes it spawns (ipvsadm, ip) inherit the namespace.
import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { loadNative } from '../../lib/kernel/binding.js';
import { Ipvs } from '../../lib/ipvs.js';

const native = loadNative();

// The previous file's table is emptied here, in this process, before its namespace is dropped.
// Otherwise the kernel's namespace cleanup worker deletes it (1000 services and their estimators
// after health-scale.test.ts), and twice in whole-suite runs under TCG (6.12 in session 4, 6.1
// since) the guest deadlocked when the next file made the kernel load a module meanwhile: hung
// tasks for modprobe, ipvsadm and the cleanup worker. A flush is one exchange. Only a namespace
// this setup made is flushed, never the one the run started in (a real director's, natively).
const MADE_HERE = 'IPVS_TEST_FRESH_NETNS';
if (process.env[MADE_HERE] === readlinkSync('/proc/self/ns/net')) {
  const previous = await Ipvs.open();
  try {
    await previous.flush();
  } finally {
    previous.close();
  }
}

// /proc/self names the main thread, which is the thread that unshares.
const original = readlinkSync('/proc/self/ns/net');
native.unshareNetwork();
if (readlinkSync('/proc/self/ns/net') === original) {
  throw new Error('fresh-netns: the worker is still in its original network namespace');
}
execFileSync('ip', ['link', 'set', 'lo', 'up']);
process.env[MADE_HERE] = readlinkSync('/proc/self/ns/net');
