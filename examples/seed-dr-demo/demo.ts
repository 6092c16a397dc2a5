// The seed's LVS-DR example, end to end, with real packets: run as root on a kernel with IPVS
// (run.ts starts it in the lab otherwise). Builds the network in namespaces, prepares the real
// servers with prepareRealServer, programs the director with ipvs-native, sends HTTP requests
// from the client, and prints the table, who answered, and the stats. Cleans up after itself.
import type { ChildProcess } from 'node:child_process';
import { release } from 'node:os';
import {
  checkDirector,
  checkRealServer,
  describeChange,
  Ipvs,
  prepareRealServer,
  type Service,
  type Stats,
} from '../../lib/index.js';
import { numericListing } from '../../lib/ipvsadm/format/services.js';
import { build, clientRequests, CLIENT, httpServer, teardown } from './network.js';

const VIP = '192.168.8.200';
const REAL_SERVERS = [
  { name: 'rs1', ns: 'seed-rs1', address: '192.168.8.20' },
  { name: 'rs2', ns: 'seed-rs2', address: '192.168.8.30' },
] as const;
const REQUESTS = 20;
const netns = (ns: string) => `/run/netns/${ns}`;
const say = (line = '') => process.stdout.write(`${line}\n`);
const step = (n: number, title: string) => {
  say();
  say(`${n}. ${title}`);
};

async function settledStats(ipvs: Ipvs, done: (s: Stats) => boolean): Promise<Service[]> {
  // The kernel folds the per-CPU counters into the totals about every 2 s.
  for (let i = 0; i < 40; i++) {
    const services = await ipvs.listServices({ destinations: true });
    if (services[0] && done(services[0].stats)) return services;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the stats did not arrive within 10 s');
}

async function main(): Promise<void> {
  const servers: ChildProcess[] = [];
  let ipvs: Ipvs | undefined;
  try {
    say(`ipvs-native demo: the seed's LVS-DR example with real packets (kernel ${release()})`);

    step(1, 'The network (namespaces seed-*, joined by a bridge; nothing outside them is touched)');
    build();
    say(`   client     ${CLIENT}`);
    say(`   director   ens33 192.168.8.10 (DIP), ens33:0 ${VIP} (VIP)`);
    for (const rs of REAL_SERVERS)
      say(
        `   ${rs.name}        eth0 ${rs.address}, an HTTP server on port 80 that answers "${rs.name}"`,
      );
    servers.push(...(await Promise.all(REAL_SERVERS.map((rs) => httpServer(rs.ns, rs.name)))));

    step(2, `The real servers, prepared: prepareRealServer({ vip: '${VIP}', mode: 'dr', netns })`);
    for (const rs of REAL_SERVERS) {
      const prepared = await prepareRealServer({ vip: VIP, mode: 'dr', netns: netns(rs.ns) });
      say(
        `   ${rs.name}: ${prepared.changes.map(describeChange).join(', ') || 'already prepared'}`,
      );
      const findings = await checkRealServer({ vip: VIP, mode: 'dr', netns: netns(rs.ns) });
      say(
        `        checkRealServer: ${findings.length === 0 ? 'no problems' : findings.map((f) => f.message).join('; ')}`,
      );
    }

    step(3, 'The director, programmed with ipvs-native (what ipvsadm -A / -a do)');
    ipvs = await Ipvs.open({ netns: netns('seed-director') });
    const service = { protocol: 'tcp', address: VIP, port: 80 } as const;
    await ipvs.addService({ ...service, scheduler: 'rr' });
    say(
      `   await ipvs.addService({ protocol: 'tcp', address: '${VIP}', port: 80, scheduler: 'rr' })`,
    );
    for (const rs of REAL_SERVERS) {
      await ipvs.addDestination(service, {
        address: rs.address,
        port: 80,
        forward: 'dr',
        weight: 1,
      });
      say(
        `   await ipvs.addDestination(vip, { address: '${rs.address}', port: 80, forward: 'dr', weight: 1 })`,
      );
    }
    const directorFindings = await checkDirector({
      vip: VIP,
      mode: 'dr',
      netns: netns('seed-director'),
    });
    say(
      `   checkDirector: ${directorFindings.length === 0 ? 'no problems' : directorFindings.map((f) => f.message).join('; ')}`,
    );

    step(4, `${REQUESTS} HTTP requests from the client to http://${VIP}/`);
    const answers = clientRequests(`http://${VIP}/`, REQUESTS);
    say(`   answered by: ${answers.join(' ')}`);
    for (const rs of REAL_SERVERS) {
      const count = answers.filter((a) => a === rs.name).length;
      say(`   ${rs.name} (${rs.address})  ${String(count).padStart(3)}  ${'#'.repeat(count)}`);
    }

    const services = await settledStats(ipvs, (s) => s.conns >= BigInt(REQUESTS));
    step(5, 'The IPVS table (ipvsadm -Ln)');
    const info = await ipvs.getInfo();
    say(numericListing(services, info).trimEnd());

    step(6, 'The stats (ipvsadm -Ln --stats --exact)');
    say(numericListing(services, info, { stats: true, exact: true }).trimEnd());
    const outPkts = services[0]?.stats.outPkts ?? 0n;
    say(
      outPkts === 0n
        ? '   OutPkts is 0: the replies went from the real servers straight to the client; only requests crossed the director.'
        : `   OutPkts is ${outPkts}: replies crossed the director, which direct routing should avoid.`,
    );

    step(
      7,
      'The rates (ipvsadm -Ln --rate --exact), estimated by the kernel over the last seconds',
    );
    say(numericListing(services, info, { rate: true, exact: true }).trimEnd());
    say();
  } finally {
    ipvs?.close();
    for (const server of servers) server.kill();
    teardown();
  }
}

await main();
