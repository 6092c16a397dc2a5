// What every scenario works with: the handle, the sizes, and where measurements are collected
// (one Measurement per scenario and contender, a repetition's seconds appended to it).
//
// Each contender's run starts in a fresh network namespace (fresh()): the kernel keeps deleted
// destinations in a per-namespace trash for a minute or two and scans that list linearly on
// every NEW_DEST (ip_vs_trash_get_dest), so a contender run after another one's deletions would
// pay for them.
import { setTimeout as sleep } from 'node:timers/promises';
import { Ipvs } from '../../lib/index.js';
import { enterFreshNetworkNamespace } from '../netns.js';
import type { BenchOptions } from '../options.js';
import type { Measurement, Scenario } from '../results.js';

export class Context {
  readonly measurements: Measurement[] = [];

  constructor(
    private handle: Ipvs,
    readonly options: BenchOptions,
  ) {}

  get ipvs(): Ipvs {
    return this.handle;
  }

  /** A new network namespace with an empty table and an empty trash, and a handle in it. */
  async fresh(): Promise<void> {
    this.handle.close();
    enterFreshNetworkNamespace();
    this.handle = await Ipvs.open({ timeoutMs: 120_000 });
    // The old namespace is torn down by a kernel worker: let it finish before timing anything.
    await sleep(200);
  }

  close(): void {
    this.handle.close();
  }

  record(
    scenario: Scenario,
    contender: string,
    ops: number,
    seconds: number,
    extra: Partial<Pick<Measurement, 'messagesPerSendmsg' | 'sampled'>> = {},
  ): void {
    let m = this.measurements.find((x) => x.scenario === scenario && x.contender === contender);
    if (!m) {
      m = { scenario, contender, ops, seconds: [], ...extra };
      this.measurements.push(m);
    }
    if (m.ops !== ops)
      throw new Error(`${scenario}/${contender}: ${ops} operations, earlier ${m.ops}`);
    m.seconds.push(seconds);
    if (extra.messagesPerSendmsg !== undefined) m.messagesPerSendmsg = extra.messagesPerSendmsg;
  }

  /** Deletes everything (untimed), and checks that the table is empty. */
  async reset(): Promise<void> {
    await this.ipvs.flush();
  }
}
