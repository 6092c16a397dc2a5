// Scenario (c): list every service with its destinations and stats, from a table of S x D.
// ipvs-native's listServices({ destinations: true }) against ipvsadm's listings and the dump floor
// (floor.c -l: the same dumps, nothing decoded); each one's output is checked to hold the whole table.
import { runListing } from '../contenders/ipvsadm.js';
import { runListFloor } from '../contenders/floor.js';
import { prepare } from '../contenders/native.js';
import { progress, timed } from '../measure.js';
import { CONTENDERS } from '../results.js';
import { createOps } from '../workload.js';
import type { Context } from './context.js';

const LISTINGS = [
  [CONTENDERS.ipvsadmList, ['-Ln']],
  [CONTENDERS.ipvsadmListStats, ['-Ln', '--stats']],
  [CONTENDERS.ipvsadmSave, ['-S', '-n']],
] as const;

function count(
  output: string,
  services: RegExp,
  dests: RegExp,
): { services: number; dests: number } {
  const lines = output.split('\n');
  return {
    services: lines.filter((l) => services.test(l)).length,
    dests: lines.filter((l) => dests.test(l)).length,
  };
}

export async function list(ctx: Context): Promise<void> {
  const { services, dests, reps } = ctx.options;
  await ctx.fresh();
  await prepare(ctx.ipvs, createOps(services, dests));
  const entries = services + services * dests;
  const check = (what: string, got: { services: number; dests: number }) => {
    if (got.services !== services || got.dests !== services * dests) {
      throw new Error(
        `${what}: listed ${got.services} services and ${got.dests} destinations, expected ${services} and ${services * dests}`,
      );
    }
  };
  for (let rep = 1; rep <= reps; rep++) {
    progress(`list, repetition ${rep} of ${reps}`);
    const before = ctx.ipvs.transportCounters();
    const { seconds, value } = await timed(() => ctx.ipvs.listServices({ destinations: true }));
    const after = ctx.ipvs.transportCounters();
    const listedDests = value.reduce((n, s) => n + (s.destinations?.length ?? 0), 0);
    if (value.some((s) => typeof s.stats.conns !== 'bigint'))
      throw new Error('listServices: no stats');
    check(CONTENDERS.list, { services: value.length, dests: listedDests });
    ctx.record('list', CONTENDERS.list, entries, seconds, {
      messagesPerSendmsg:
        (after.messagesSent - before.messagesSent) / (after.sendmsgCalls - before.sendmsgCalls),
    });
    const floor = runListFloor();
    check(CONTENDERS.floorList, floor);
    ctx.record('list', CONTENDERS.floorList, entries, floor.seconds, { messagesPerSendmsg: 1 });
    for (const [name, args] of LISTINGS) {
      const r = runListing(args);
      const save = args[0] === '-S';
      check(
        name,
        count(r.output, save ? /^-A / : /^(TCP|UDP|SCTP|FWM) /, save ? /^-a / : /^ {2}-> \d/),
      );
      ctx.record('list', name, entries, r.seconds);
    }
  }
  await ctx.reset();
}
