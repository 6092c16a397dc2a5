// apply() of a big desired state leaves the event loop free: normalising the state, reading the
// kernel's table into the same form and planning each run in slices with a turn of the loop
// between them (lib/state/slices.ts). Checked by structure, not by timing: an immediate queued
// before the apply must run at least once per slice of each phase. The simulated client answers at
// once (its promise is already resolved), so every turn the loop takes is one the library gave
// it; were a phase one synchronous block again, its turns would be missing from the count. The
// health checker's reconcile of a config that big plans in slices the same way.
import { describe, expect, it } from 'vitest';
import { desiredService } from '../../lib/health/desired.js';
import { readServices, reconcile, type IpvsTable } from '../../lib/health/reconcile.js';
import { validateHealthConfig } from '../../lib/health/index.js';
import { constants as osConstants } from 'node:os';
import { IpvsError } from '../../lib/core/errors.js';
import { Ipvs, type DesiredState, type ServiceKey } from '../../lib/index.js';
import { ROWS_PER_TURN } from '../../lib/kernel/exchange-queue.js';
import { loadNative } from '../../lib/kernel/binding.js';
import type {
  NativeClient,
  NativeDestDumps,
  NativeReply,
  NativeTable,
} from '../../lib/kernel/native.js';
import { loopWatch } from '../support/loop-watch.js';
import { sameDestinationsEach } from '../support/dest-dumps.js';

const native = loadNative();
const { ESRCH, EPERM } = osConstants.errno;
const { commands } = native.constants;
const { size: RECORD, command: COMMAND } = native.requestLayout;

const SERVICES = 20_000;
const DESTS = 2;
/** Rows per service in each phase: the service and its destinations. */
const ROWS = SERVICES * (1 + DESTS);

const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const destAddress = (d: number) => `10.200.0.${d + 1}`;

function table(count: number, width: number, text: (i: number) => string): NativeTable {
  return {
    count,
    numbers: new Uint32Array(count * width),
    stats: new BigUint64Array(count * 10),
    texts: Array.from({ length: count }, (_, i) => text(i)).join(''),
  };
}

/**
 * A kernel holding `services` tcp services on port 80 (wlc), each with the same DESTS masq
 * destinations of weight 1, that answers at once; it records the commands of what it was sent.
 */
class TableClient implements NativeClient {
  readonly familyId = 42;
  readonly sent: number[] = [];
  private readonly services: NativeTable;
  private readonly dests = table(DESTS, 12, (d) => `${destAddress(d)}\0`);

  constructor(services: number) {
    // Columns: family, protocol, port, fwmark, flags, timeout, netmask; address, scheduler, pe.
    this.services = table(services, 7, (i) => `${address(i)}\0wlc\0\0`);
    for (let i = 0; i < services; i++)
      this.services.numbers.set([2, 6, 80, 0, 0, 0, ~0 >>> 0], i * 7);
    // Columns: family, port, forward (0: masq), weight, ...
    for (let d = 0; d < DESTS; d++) this.dests.numbers.set([2, 80, 0, 1], d * 12);
  }

  execute(packed: Uint8Array, count: number): Promise<NativeReply[]> {
    const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
    const replies: NativeReply[] = [];
    for (let i = 0; i < count; i++) {
      const command = view.getUint32(i * RECORD + COMMAND, true);
      this.sent.push(command);
      if (command === commands.getServices) replies.push({ error: 0, services: this.services });
      else if (command === commands.getDests) replies.push({ error: 0, dests: this.dests });
      else replies.push(0);
    }
    return Promise.resolve(replies);
  }
  dumpDestinations(packed: Uint8Array, count: number): Promise<NativeDestDumps> {
    for (let i = 0; i < count; i++) this.sent.push(commands.getDests);
    return Promise.resolve(sameDestinationsEach(count, this.dests));
  }
  readProcNet(): Promise<string> {
    return Promise.resolve('');
  }
  close(): void {}
  counters(): Record<string, never> {
    return {};
  }

  /** What was sent besides the dumps (the reads apply makes of the table). */
  writes(): number[] {
    return this.sent.filter((c) => c !== commands.getServices && c !== commands.getDests);
  }
}

/** The table TableClient holds, as a desired state; `changed`: that service's first weight is 2. */
function desired(services: number, changed?: number): DesiredState {
  return {
    services: Array.from({ length: services }, (_, s) => ({
      protocol: 'tcp' as const,
      address: address(s),
      port: 80,
      scheduler: 'wlc',
      destinations: Array.from({ length: DESTS }, (_, d) => ({
        address: destAddress(d),
        port: 80,
        forward: 'masq' as const,
        weight: s === changed && d === 0 ? 2 : 1,
      })),
    })),
  };
}

/** The keys of the first `services` services TableClient holds. */
const keysOf = (services: number): ServiceKey[] =>
  Array.from({ length: services }, (_, s) => ({ protocol: 'tcp', address: address(s), port: 80 }));

/** The turns the listing alone gives the loop, which apply's own phases must add to. */
async function listingTurns(): Promise<number> {
  const ipvs = new Ipvs(new TableClient(SERVICES), 1000);
  const watch = loopWatch();
  await ipvs.listServices({ destinations: true });
  return watch.stop().immediates;
}

/**
 * A slice's worth of rows gives one turn; one turn off for where the slices fall. A slice ends
 * with the step (a service and its destinations, `perStep` rows) that reaches ROWS_PER_TURN.
 */
const turnsFor = (rows: number, perStep = 1 + DESTS) =>
  Math.floor(rows / (ROWS_PER_TURN + perStep - 1)) - 1;

/**
 * The fewest turns apply's own phases give: normalising the desired state, the current table in
 * the same form (a service and its destinations a row each), and planning (the index of the
 * current table, a row per service, then the desired services and their destinations).
 */
const PHASE_TURNS = turnsFor(ROWS) + turnsFor(ROWS) + turnsFor(SERVICES + ROWS);

describe('apply() of 20,000 services x 2 yields to the event loop', { timeout: 60_000 }, () => {
  it('a no-op apply plans nothing and sends nothing, normalising and planning in slices', async () => {
    const listing = await listingTurns();
    const client = new TableClient(SERVICES);
    const ipvs = new Ipvs(client, 1000);
    const watch = loopWatch();
    const result = await ipvs.apply(desired(SERVICES));
    const ran = watch.stop();
    expect(result).toEqual({ steps: [], applied: 0, failures: [] });
    expect(client.writes()).toEqual([]);
    expect(ran.immediates).toBeGreaterThanOrEqual(listing + PHASE_TURNS);
    expect(ran.timers).toBeGreaterThan(0);
  });

  it('a one-change apply sends exactly the one editDestination, planning in slices', async () => {
    const listing = await listingTurns();
    const client = new TableClient(SERVICES);
    const ipvs = new Ipvs(client, 1000);
    const changed = 12_345;
    const watch = loopWatch();
    const result = await ipvs.apply(desired(SERVICES, changed));
    const ran = watch.stop();
    expect(result.steps).toEqual([
      {
        op: 'editDestination',
        service: { protocol: 'tcp', address: address(changed), port: 80 },
        destination: { address: destAddress(0), port: 80, forward: 'masq', weight: 2 },
        why: 'weight 1 -> 2',
      },
    ]);
    expect(result.applied).toBe(1);
    expect(result.failures).toEqual([]);
    expect(client.writes()).toEqual([commands.setDest]);
    expect(ran.immediates).toBeGreaterThanOrEqual(listing + PHASE_TURNS);
    expect(ran.timers).toBeGreaterThan(0);
  });

  it('a first apply creates everything, building each batch in slices', async () => {
    const client = new TableClient(0);
    const ipvs = new Ipvs(client, 1000);
    // The turns the loop takes while each batch's steps are validated and written.
    const building: number[] = [];
    const batch = ipvs.batch.bind(ipvs);
    ipvs.batch = (build) =>
      batch(async (b) => {
        const watch = loopWatch();
        await build(b);
        building.push(watch.stop().immediates);
      });
    const result = await ipvs.apply(desired(SERVICES));
    expect(result.applied).toBe(ROWS);
    expect(result.failures).toEqual([]);
    expect(client.writes()).toHaveLength(ROWS);
    // Batches of 2000 steps (apply's default batchSize), each built over several turns.
    expect(building).toHaveLength(Math.ceil(ROWS / 2000));
    expect(Math.min(...building)).toBeGreaterThanOrEqual(Math.floor(2000 / ROWS_PER_TURN) - 1);
  });

  it('with prune, exactly the one service not desired is deleted', async () => {
    const client = new TableClient(SERVICES);
    const ipvs = new Ipvs(client, 1000);
    const result = await ipvs.apply(
      { services: desired(SERVICES).services.slice(1) },
      { prune: true, dryRun: true },
    );
    expect(result.steps).toEqual([
      {
        op: 'deleteService',
        service: { protocol: 'tcp', address: address(0), port: 80 },
        why: 'not wanted',
      },
    ]);
    expect(client.writes()).toEqual([]);
  });

  it('bad input deep in a big state rejects naming the field, after turns, with nothing sent', async () => {
    const client = new TableClient(SERVICES);
    const ipvs = new Ipvs(client, 1000);
    const state = desired(SERVICES);
    const bad = state.services[15_000]?.destinations?.[1];
    if (!bad) throw new Error('no destination to spoil');
    bad.weight = -1;
    const watch = loopWatch();
    await expect(ipvs.apply(state)).rejects.toThrow(
      'services[15000].destinations[1].weight must be an integer 0-2147483647, got -1',
    );
    const ran = watch.stop();
    expect(client.sent).toEqual([]);
    // The 15,000 services before it were normalised in slices.
    expect(ran.immediates).toBeGreaterThanOrEqual(turnsFor(15_000 * (1 + DESTS)));
  });
});

describe("the health checker's reconcile of 20,000 services x 2 yields to the event loop", () => {
  it(
    'plans in slices and repairs exactly the one drifted weight',
    { timeout: 60_000 },
    async () => {
      const changed = 4_321;
      const config = validateHealthConfig(desired(SERVICES, changed));
      const everyoneServes = { serving: () => true, quorumMet: () => true };
      const wanted = config.services.map((s) => desiredService(s, everyoneServes));
      const keys = config.services.map((s) => s.spec);
      // The turns reading the services back gives on its own, which planning must add to.
      const reading = loopWatch();
      await readServices(new Ipvs(new TableClient(SERVICES), 1000), keys);
      const read = reading.stop().immediates;
      const client = new TableClient(SERVICES);
      const watch = loopWatch();
      const outcomes = await reconcile(new Ipvs(client, 1000), wanted);
      const ran = watch.stop();
      expect(outcomes.map((o) => [o.repair.op, o.repair.why, o.result.ok])).toEqual([
        ['editDestination', 'weight 1 -> 2', true],
      ]);
      expect(outcomes[0]?.repair).toMatchObject({
        service: { protocol: 'tcp', address: address(changed), port: 80 },
        destination: { address: destAddress(0), weight: 2 },
      });
      expect(client.writes()).toEqual([commands.setDest]);
      // A row per service and per destination on each side, desired and current.
      expect(ran.immediates).toBeGreaterThanOrEqual(
        read + turnsFor(SERVICES * (1 + 2 * DESTS), 1 + 2 * DESTS),
      );
      expect(ran.timers).toBeGreaterThan(0);
    },
  );

  it('builds the batch of a first sync (60,000 operations) in slices too', async () => {
    const config = validateHealthConfig(desired(SERVICES));
    const everyoneServes = { serving: () => true, quorumMet: () => true };
    const wanted = config.services.map((s) => desiredService(s, everyoneServes));
    const client = new TableClient(0);
    const ipvs = new Ipvs(client, 1000);
    // The turns the loop takes while the repairs are validated and written into the batch.
    let building: { immediates: number; timers: number } | undefined;
    const table: IpvsTable = {
      listServices: () => ipvs.listServices(),
      listDestinations: (key) => ipvs.listDestinations(key),
      batch: (build) =>
        ipvs.batch(async (b) => {
          const watch = loopWatch();
          await build(b);
          building = watch.stop();
        }),
    };
    const outcomes = await reconcile(table, wanted);
    expect(outcomes).toHaveLength(ROWS);
    expect(outcomes.every((o) => o.result.ok)).toBe(true);
    expect(client.writes().filter((c) => c === commands.newService)).toHaveLength(SERVICES);
    expect(client.writes().filter((c) => c === commands.newDest)).toHaveLength(SERVICES * DESTS);
    expect(building?.immediates).toBeGreaterThanOrEqual(Math.floor(ROWS / ROWS_PER_TURN) - 1);
    expect(building?.timers).toBeGreaterThan(0);
  });

  it('asks for the destinations of 20,000 services a slice of calls per turn', async () => {
    const ipvs = new Ipvs(new TableClient(SERVICES), 1000);
    // The turn of the loop (counted by immediates) in which each destination read was asked for.
    let turn = 0;
    const askedIn: number[] = [];
    const table: IpvsTable = {
      listServices: () => ipvs.listServices(),
      listDestinations: (key) => {
        askedIn.push(turn);
        return ipvs.listDestinations(key);
      },
      batch: (build) => ipvs.batch(build),
    };
    let running = true;
    const tick = () => {
      turn++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const keys = keysOf(SERVICES);
    const read = await readServices(table, keys);
    running = false;
    expect(read).toHaveLength(SERVICES);
    expect(read[SERVICES - 1]?.address).toBe(address(SERVICES - 1));
    expect(read.every((s) => s?.destinations?.length === DESTS)).toBe(true);
    expect(askedIn).toHaveLength(SERVICES);
    const perTurn = new Map<number, number>();
    for (const t of askedIn) perTurn.set(t, (perTurn.get(t) ?? 0) + 1);
    // The services listed are indexed first, a row each, then the calls made: no turn makes more
    // than a slice's worth of them.
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(ROWS_PER_TURN);
    expect(perTurn.size).toBeGreaterThanOrEqual(Math.ceil(SERVICES / ROWS_PER_TURN));
  });

  it('a service deleted between the reads is missing; another failure rejects, held across turns', async () => {
    const ipvs = new Ipvs(new TableClient(SERVICES), 1000);
    const failing = (errno: number) => (key: ServiceKey) =>
      Promise.reject(new IpvsError(errno, { op: 'listDestinations', target: JSON.stringify(key) }));
    const keys = keysOf(3 * ROWS_PER_TURN);
    const gone = 5;
    const refused = 100;
    const table = (refuse: boolean): IpvsTable => ({
      listServices: () => ipvs.listServices(),
      listDestinations: (key) => {
        if ('address' in key && key.address === address(gone)) return failing(ESRCH)(key);
        if (refuse && 'address' in key && key.address === address(refused))
          return failing(EPERM)(key);
        return ipvs.listDestinations(key);
      },
      batch: (build) => ipvs.batch(build),
    });
    const read = await readServices(table(false), keys);
    expect(read[gone]).toBeUndefined();
    expect(read.filter((s) => s === undefined)).toHaveLength(1);
    // The refusal comes in the first slice of calls, turns before the last one is made.
    await expect(readServices(table(true), keys)).rejects.toMatchObject({ code: 'EPERM' });
  });
});
