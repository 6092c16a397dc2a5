// The terminal table: per scenario, each contender's ops/s (median of the repetitions, min-max),
// time, messages per sendmsg, and ratios to the floor, to the floor at one message a sendmsg, and
// to ipvsadm -R (for listings: to the dump floor and to ipvsadm -Ln).
import { median } from '../measure.js';
import { CONTENDERS, ratio, summarize, type Results, type Scenario } from '../results.js';

const SCENARIOS: Scenario[] = ['create', 'delete', 'churn', 'list'];

const fmtOps = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3));
const fmtTime = (s: number) =>
  s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(s >= 0.01 ? 1 : 2)} ms`;
const fmtRatio = (r: number | undefined) =>
  r === undefined ? '' : r >= 10 ? `${r.toFixed(1)}x` : `${r.toFixed(2)}x`;

function render(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r, n) => {
      const line = r
        .map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  ');
      return n === 0 ? `${line}\n${'-'.repeat(line.length)}` : line;
    })
    .join('\n');
}

export function table(results: Results): string {
  const rows: string[][] = [
    [
      'scenario',
      'contender',
      'ops',
      'ops/s (median)',
      'min-max ops/s',
      'time (median)',
      'msgs/sendmsg',
      'x floor',
      'x floor 1/msg',
      'x ipvsadm -R',
      'x ipvsadm -Ln',
    ],
  ];
  for (const scenario of SCENARIOS) {
    for (const m of results.measurements.filter((x) => x.scenario === scenario)) {
      const s = summarize(m);
      const list = scenario === 'list';
      rows.push([
        scenario,
        m.contender + (m.sampled ? ' (sample)' : ''),
        m.ops.toLocaleString('en-US'),
        fmtOps(s.opsPerSecond),
        `${fmtOps(s.minOpsPerSecond)}-${fmtOps(s.maxOpsPerSecond)}`,
        fmtTime(s.medianSeconds),
        m.messagesPerSendmsg === undefined
          ? ''
          : m.messagesPerSendmsg.toFixed(m.messagesPerSendmsg >= 10 ? 0 : 1),
        fmtRatio(
          ratio(results, scenario, m.contender, list ? CONTENDERS.floorList : CONTENDERS.floor),
        ),
        list ? '' : fmtRatio(ratio(results, scenario, m.contender, CONTENDERS.floorSingle)),
        list ? '' : fmtRatio(ratio(results, scenario, m.contender, CONTENDERS.restore)),
        list ? fmtRatio(ratio(results, scenario, m.contender, CONTENDERS.ipvsadmList)) : '',
      ]);
    }
  }
  const e = results.environment;
  const o = results.options;
  const lines = [
    `ipvs-native bench: ${o.services} services x ${o.dests} destinations, ${o.rounds} churn round(s), ${o.reps} repetition(s)${o.smoke ? ' (smoke)' : ''}`,
    `${e.where}${e.where === 'lab' ? ` (${e.accel})` : ''}, kernel ${e.kernel}, ${e.cpus} x ${e.cpu}${e.hostCpu ? ` on ${e.hostCpu}` : ''}${e.hostLoad ? ` (host load ${e.hostLoad})` : ''}, node ${e.node}, ipvsadm ${e.ipvsadm}, ${e.date}`,
    '',
    render(rows),
    '',
    'ops/s for listings: services + destinations listed per second',
  ];
  if (results.eventLoop.length > 0) {
    lines.push(
      '',
      'event-loop delay during create/delete (monitorEventLoopDelay, 1 ms resolution; median p50, worst p99 and max of the runs):',
    );
    for (const l of results.eventLoop)
      lines.push(
        `  ${l.contender.padEnd(24)} p50 ${l.p50Ms.toFixed(2)} ms  p99 ${l.p99Ms.toFixed(2)} ms  max ${l.maxMs.toFixed(1)} ms  (${l.samples} samples)`,
      );
  }
  const r = results.rss;
  if (r) {
    lines.push(
      '',
      `RSS over ${r.ops.toLocaleString('en-US')} churn operations (${fmtOps(r.ops / r.seconds)} ops/s): ${r.rssBeforeMiB.toFixed(1)} MiB before, ${r.rssAfterMiB.toFixed(1)} MiB after, ${r.rssMaxMiB.toFixed(1)} MiB peak; heap ${r.heapBeforeMiB.toFixed(1)} -> ${r.heapAfterMiB.toFixed(1)} MiB`,
      `  trace: ${r.trace.map((t) => `${t.ops >= 1000 ? `${Math.round(t.ops / 1000)}k` : t.ops}:${t.rssMiB.toFixed(1)}`).join(' ')}`,
    );
  }
  const sc = results.scrape;
  if (sc) {
    const [low, high] = [Math.min(...sc.seconds), Math.max(...sc.seconds)];
    lines.push(
      '',
      `scrape of ${sc.services.toLocaleString('en-US')} services x ${sc.dests} destinations (ipvs exporter, ${sc.samples.toLocaleString('en-US')} samples, ${(sc.bytes / 1024 / 1024).toFixed(1)} MiB): median ${median(sc.seconds).toFixed(2)} s (${low.toFixed(2)}-${high.toFixed(2)}), kernel reading ${sc.readSeconds.toFixed(2)} s`,
      `  event-loop delay meanwhile: p50 ${sc.loop.p50Ms.toFixed(2)} ms  p99 ${sc.loop.p99Ms.toFixed(2)} ms  max ${sc.loop.maxMs.toFixed(1)} ms`,
    );
  }
  lines.push('', 'goals:');
  for (const g of results.goals) lines.push(`  [${g.met ? 'met ' : 'MISS'}] ${g.goal}: ${g.value}`);
  return lines.join('\n');
}
