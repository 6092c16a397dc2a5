// Scenario (e): one Prometheus scrape of a table of --scrape-services services x D destinations
// (10,000 x 2 by default): ipvs exporter's whole path (the kernel reading, every family rendered
// by prom-client in slices that yield) timed repetition by repetition, with the event loop's
// delay monitored meanwhile: that delay is what `ipvs serve`'s health checks would wait.
import { MetricsExporter } from '../../lib/observe/metrics/exporter.js';
import { Snapshotter } from '../../lib/observe/snapshotter.js';
import { prepare } from '../contenders/native.js';
import { loopMonitor, median, progress, timed } from '../measure.js';
import type { ScrapeCost } from '../results.js';
import { createOps } from '../workload.js';
import type { Context } from './context.js';

const sampleLines = (body: string): number =>
  body.split('\n').filter((l) => l && l[0] !== '#').length;

function readSeconds(body: string): number {
  const m = /^ipvs_exporter_read_duration_seconds (\S+)$/m.exec(body);
  if (!m?.[1]) throw new Error('scrape: no ipvs_exporter_read_duration_seconds');
  return Number(m[1]);
}

export async function scrape(ctx: Context): Promise<ScrapeCost> {
  const { scrapeServices: services, dests, reps } = ctx.options;
  await ctx.fresh();
  await prepare(ctx.ipvs, createOps(services, dests));
  const exporter = new MetricsExporter(new Snapshotter(ctx.ipvs));
  await exporter.scrape(); // warm-up: JIT, prom-client's metric objects
  const seconds: number[] = [];
  const reads: number[] = [];
  const loops: ScrapeCost['loop'][] = [];
  let body = '';
  for (let rep = 1; rep <= reps; rep++) {
    progress(`scrape, repetition ${rep} of ${reps}`);
    const monitor = await loopMonitor();
    const run = await timed(() => exporter.scrape());
    const { p50Ms, p99Ms, maxMs } = await monitor.stop();
    body = run.value.body;
    const backends = body.split('\n').filter((l) => l.startsWith('node_ipvs_backend_weight{'));
    if (backends.length !== services * dests) {
      throw new Error(`scrape: ${backends.length} backends, expected ${services * dests}`);
    }
    seconds.push(run.seconds);
    reads.push(readSeconds(body));
    loops.push({ p50Ms, p99Ms, maxMs });
  }
  await ctx.reset();
  const worst = loops.reduce((a, b) => (b.maxMs > a.maxMs ? b : a));
  return {
    services,
    dests,
    samples: sampleLines(body),
    bytes: Buffer.byteLength(body),
    seconds,
    readSeconds: median(reads),
    loop: { p50Ms: median(loops.map((l) => l.p50Ms)), p99Ms: worst.p99Ms, maxMs: worst.maxMs },
  };
}
