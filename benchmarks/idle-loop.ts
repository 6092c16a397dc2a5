// The environment's own event-loop delay: an idle node process (a 1 ms monitor, nothing else)
// while the floor creates and deletes 5000 x 2 in another process, and while nothing runs. What
// the library's loop figures are read against in the lab, where V8's threads, the addon's worker
// and the kernel share two emulated vCPUs (benchmarks/README.md, "Why the remaining goals").
//
//   npm run lab -- npx tsx benchmarks/idle-loop.ts      (as root on a kernel with IPVS: directly)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { runFloor } from './contenders/floor.js';
import { enterFreshNetworkNamespace } from './netns.js';
import { createOps, deleteOps } from './workload.js';

const MONITOR = `
const { monitorEventLoopDelay } = require('node:perf_hooks');
const m = monitorEventLoopDelay({ resolution: 1 });
m.enable();
setTimeout(() => process.stdout.write('ready\\n'), 20);
process.stdin.once('data', () => setTimeout(() => {
  m.disable();
  const ms = (n) => (n / 1e6).toFixed(1);
  process.stdout.write(\`p50 \${ms(m.percentile(50))} ms, p99 \${ms(m.percentile(99))} ms, max \${ms(m.max)} ms (\${m.count} samples)\\n\`);
  process.exit(0);
}, 5));
`;

/** Runs `work` (synchronous, in this process) while an idle child process monitors its loop. */
async function idleLoopDuring(label: string, work: () => void): Promise<void> {
  const child = spawn(process.execPath, ['-e', MONITOR], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdout.setEncoding('utf8');
  let out = '';
  child.stdout.on('data', (chunk: string) => (out += chunk));
  while (!out.includes('ready\n')) await new Promise((resolve) => setTimeout(resolve, 5));
  const start = performance.now();
  work();
  const ms = performance.now() - start;
  child.stdin.write('stop\n');
  await once(child, 'exit');
  console.log(`${label} (${ms.toFixed(0)} ms): idle loop ${out.split('\n')[1] ?? '?'}`);
}

enterFreshNetworkNamespace();
const create = createOps(5000, 2);
const remove = deleteOps(5000);
for (let rep = 1; rep <= 3; rep++) {
  await idleLoopDuring('floor create + delete', () => {
    runFloor(create, 1000);
    runFloor(remove, 1000);
  });
  await idleLoopDuring('nothing', () => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 800);
  });
}
