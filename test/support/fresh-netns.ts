// Setup for every kernel and e2e test file: move this worker process into a new network namespace
// before the file runs. IPVS tables are per namespace, so each file starts from an empty table and
// nothing it does is seen by another file. Processes it spawns (ipvsadm, ip) inherit the namespace.
import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { loadNative } from '../../lib/kernel/binding.js';

const native = loadNative();

// /proc/self names the main thread, which is the thread that unshares.
const original = readlinkSync('/proc/self/ns/net');
native.unshareNetwork();
if (readlinkSync('/proc/self/ns/net') === original) {
  throw new Error('fresh-netns: the worker is still in its original network namespace');
}
execFileSync('ip', ['link', 'set', 'lo', 'up']);
