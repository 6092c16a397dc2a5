// The user-space part of the library, on any host (no IPVS, no root): the same calls as the
// bench's create, delete and list, against a simulated client that answers at once (every write
// acknowledged, dumps answered with synthesized reply tables). What it times is everything the
// library does besides the exchange itself: building and validating, packing, the results, and
// turning reply tables into services. The addon's own side (unpacking, encoding, decoding) is
// not in it; the lab's split (`npm run bench -- --only split`) measures that.
//
//   node --expose-gc --import tsx benchmarks/userspace.ts [--services N] [--dests N] [--reps N]
//   (add --cpu-prof before --import for a profile)
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Batch, Ipvs, type DesiredState } from '../lib/index.js';
import { prepare } from '../lib/core/operation.js';
import { loadNative } from '../lib/kernel/binding.js';
import { packRequests, RequestRecords } from '../lib/kernel/request-records.js';
import type {
  NativeClient,
  NativeDestDumps,
  NativeReply,
  NativeRequest,
  NativeTable,
} from '../lib/kernel/native.js';
import { median } from './measure.js';
import {
  createOps,
  deleteOps,
  destAddress,
  destSpec,
  PORT,
  serviceKey,
  type Op,
} from './workload.js';
import { addOp, callOp } from './contenders/native.js';

const native = loadNative();
const { commands } = native.constants;
const { size: RECORD, command: COMMAND } = native.requestLayout;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const SERVICES = arg('--services', 5000);
const DESTS = arg('--dests', 2);
const REPS = arg('--reps', 5);

function table(count: number, width: number, text: (i: number) => string): NativeTable {
  return {
    count,
    numbers: new Uint32Array(count * width),
    stats: new BigUint64Array(count * 10),
    texts: Array.from({ length: count }, (_, i) => text(i)).join(''),
  };
}

/** What the kernel would say: acks for writes, S services and D destinations each for dumps. */
class SimulatedClient implements NativeClient {
  readonly familyId = 42;
  private readonly services: NativeTable;
  private readonly dests = table(DESTS, 12, (i) => `${destAddress(i)}\0`);
  constructor(readonly SERVICES: number) {
    this.services = table(SERVICES, 7, (i) => `${serviceKey(i).address}\0wlc\0\0`);
    for (let i = 0; i < SERVICES; i++) {
      this.services.numbers.set([2, 6, PORT, 0, 0, 0, 0xffffffff], i * 7);
    }
    for (let i = 0; i < DESTS; i++) this.dests.numbers.set([2, PORT, 0, 1], i * 12);
  }
  execute(packed: Uint8Array, count: number): Promise<NativeReply[]> {
    const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
    const replies = new Array<NativeReply>(count);
    for (let i = 0; i < count; i++) {
      const command = view.getUint32(i * RECORD + COMMAND, true);
      if (command === commands.getServices) replies[i] = { error: 0, services: this.services };
      else if (command === commands.getDests) replies[i] = { error: 0, dests: this.dests };
      else replies[i] = 0;
    }
    return new Promise((resolve) => {
      setImmediate(() => {
        resolve(replies);
      });
    });
  }
  /** Every service has the same DESTS destinations. */
  dumpDestinations(_packed: Uint8Array, count: number): Promise<NativeDestDumps> {
    const { numbers, stats, texts } = this.dests;
    const all = {
      count: count * DESTS,
      numbers: new Uint32Array(count * numbers.length),
      stats: new BigUint64Array(count * stats.length),
      texts: texts.repeat(count),
    };
    for (let i = 0; i < count; i++) {
      all.numbers.set(numbers, i * numbers.length);
      all.stats.set(stats, i * stats.length);
    }
    const dumps: NativeDestDumps = {
      errors: new Int32Array(count),
      ends: Uint32Array.from({ length: count }, (_, i) => (i + 1) * DESTS),
      dests: all,
    };
    return new Promise((resolve) => {
      setImmediate(() => {
        resolve(dumps);
      });
    });
  }
  readProcNet(): Promise<string> {
    return Promise.resolve('');
  }
  close(): void {}
  counters(): Record<string, never> {
    return {};
  }
}

interface Figure {
  what: string;
  ops: number;
  ms: number[];
  loopMaxMs: number[];
}

async function measure(what: string, ops: number, run: () => unknown): Promise<Figure> {
  const figure: Figure = { what, ops, ms: [], loopMaxMs: [] };
  for (let rep = 0; rep <= REPS; rep++) {
    globalThis.gc?.();
    const monitor = monitorEventLoopDelay({ resolution: 1 });
    monitor.enable();
    // The monitor's first callback only starts its clock: let it tick before the work.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const cpu = process.cpuUsage();
    await run();
    const used = process.cpuUsage(cpu);
    // CPU time, not wall time: this host is shared, and waiting for a core is not the library's.
    const ms = (used.user + used.system) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 5));
    monitor.disable();
    if (rep === 0) continue; // warm-up
    figure.ms.push(ms);
    figure.loopMaxMs.push(monitor.max / 1e6);
  }
  return figure;
}

function report(f: Figure): void {
  const ms = median(f.ms);
  const perOpUs = (ms * 1000) / f.ops;
  console.log(
    `${f.what.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms ${perOpUs.toFixed(2).padStart(7)} µs/op  loop max ${median(f.loopMaxMs).toFixed(0).padStart(4)} ms`,
  );
}

const ipvs = new Ipvs(new SimulatedClient(SERVICES), 10_000);
const create: Op[] = createOps(SERVICES, DESTS);
const remove: Op[] = deleteOps(SERVICES);
const requests: NativeRequest[] = create.map((op) => {
  const key = serviceKey(op.service);
  return op.kind === 'addService'
    ? prepare({ op: 'addService', service: { ...key, scheduler: 'wlc' } })
    : prepare({ op: 'addDestination', service: key, destination: destSpec(op) });
});

console.log(`user space only, simulated kernel: ${SERVICES} services x ${DESTS} destinations`);
console.log(`node ${process.version}, CPU time (user + system), median of ${REPS} after a warm-up`);
const figures = [
  await measure('create: build + validate (Batch.add)', create.length, () => {
    const b = new Batch();
    for (const op of create) addOp(b, op);
  }),
  await measure('create: validate only (prepare)', create.length, () => {
    for (const op of create) {
      const key = serviceKey(op.service);
      if (op.kind === 'addService')
        prepare({ op: 'addService', service: { ...key, scheduler: 'wlc' } });
      else prepare({ op: 'addDestination', service: key, destination: destSpec(op) });
    }
  }),
  await measure('create: records only (RequestRecords.append)', create.length, () => {
    const records = new RequestRecords();
    for (const request of requests) records.append(request);
  }),
  await measure('create: batch() whole', create.length, () =>
    ipvs.batch((b) => {
      for (const op of create) addOp(b, op);
    }),
  ),
  await measure('create: Promise.all whole', create.length, () =>
    Promise.all(create.map((op) => callOp(ipvs, op))),
  ),
  await measure('delete: batch() whole', remove.length, () =>
    ipvs.batch((b) => {
      for (const op of remove) addOp(b, op);
    }),
  ),
  await measure('delete: Promise.all whole', remove.length, () =>
    Promise.all(remove.map((op) => callOp(ipvs, op))),
  ),
  await measure('list: listServices({ destinations: true })', SERVICES * (1 + DESTS), () =>
    ipvs.listServices({ destinations: true }),
  ),
];
for (const f of figures) report(f);

// The addon's own per-operation work, without the kernel: reading a packed record and encoding
// its message (encodeRequest), decoding an acknowledgement, and decoding a dump datagram into a
// reply table (decodeReply). One N-API call each, which execute() does not pay per message: an
// upper bound of what execute() adds per operation besides the kernel's work.
{
  const familyId = 42;
  const packed = packRequests(requests);
  const one = (i: number) => packed.subarray(i * RECORD, (i + 1) * RECORD);
  const messages = requests.map((_, i) => native.encodeRequest(one(i), familyId, i + 1));
  const acks = messages.map((m, i) => {
    const ack = Buffer.alloc(36);
    ack.writeUInt32LE(36, 0);
    ack.writeUInt16LE(2, 4); // NLMSG_ERROR
    ack.writeUInt16LE(0x100, 6); // NLM_F_CAPPED
    ack.writeUInt32LE(i + 1, 8);
    ack.writeInt32LE(0, 16);
    m.copy(ack, 20, 0, 16);
    return ack;
  });
  const dumpRequest = packRequests([{ command: commands.getServices }]);
  // A services dump: our encoder writes the same service nest the kernel sends back.
  const serviceMessages = messages.filter((_, i) => requests[i]?.command === commands.newService);
  const dump = Buffer.concat(serviceMessages);
  console.log('\naddon, host, no kernel (one N-API call per item: an upper bound):');
  for (const f of [
    await measure('encode: unpack a record + encode', requests.length, () => {
      for (let i = 0; i < requests.length; i++) native.encodeRequest(one(i), familyId, i + 1);
    }),
    await measure('decode: one acknowledgement', requests.length, () => {
      for (let i = 0; i < acks.length; i++) native.decodeReply(one(i), acks[i] as Buffer);
    }),
    await measure(
      `decode: ${serviceMessages.length}-service dump to a table`,
      serviceMessages.length,
      () => native.decodeReply(dumpRequest, dump),
    ),
  ])
    report(f);
}

// Growth: the same calls at table sizes 1k-100k (time per service must stay flat).
function desired(services: number, changed?: number): DesiredState {
  return {
    services: Array.from({ length: services }, (_, s) => ({
      ...serviceKey(s),
      scheduler: 'wlc',
      destinations: Array.from({ length: DESTS }, (_, d) => ({
        address: destAddress(d),
        port: PORT,
        forward: 'masq' as const,
        weight: s === changed && d === 0 ? 2 : 1,
      })),
    })),
  };
}
console.log('\ngrowth (µs per service; simulated kernel, so apply sends nothing):');
for (const n of process.argv.includes('--growth') ? [1000, 10_000, 50_000, 100_000] : []) {
  const handle = new Ipvs(new SimulatedClient(n), 10_000);
  const ops = createOps(n, DESTS);
  const same = desired(n);
  const changed = desired(n, n >> 1);
  const steps = [
    await measure('create', n, () =>
      handle.batch((b) => {
        for (const op of ops) addOp(b, op);
      }),
    ),
    await measure('list', n, () => handle.listServices({ destinations: true })),
    await measure('apply no-op', n, async () => {
      const r = await handle.apply(same, { dryRun: true });
      if (r.steps.length !== 0) throw new Error(`no-op planned ${r.steps.length}`);
    }),
    await measure('apply one change', n, async () => {
      const r = await handle.apply(changed, { dryRun: true });
      if (r.steps.length !== 1) throw new Error(`one change planned ${r.steps.length}`);
    }),
  ];
  console.log(
    `${String(n).padStart(7)}: ${steps.map((f) => `${f.what} ${((median(f.ms) * 1000) / n).toFixed(1)}`).join(', ')}  (loop max ${steps.map((f) => median(f.loopMaxMs).toFixed(0)).join('/')} ms)`,
  );
}
