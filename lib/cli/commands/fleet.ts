// ipvs fleet push FILE | status, --etcd URLS --prefix PREFIX: the fleet's shared desired state.
// push validates FILE (services only, the serve config's schema) and makes PREFIX/services/ hold
// exactly its services in one etcd transaction; a file that does not validate writes nothing.
// status lists the directors' entries (PREFIX/directors/<name>, each bound to its lease).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { openStore } from '../../fleet/fleet-member.js';
import type { DirectorStatus } from '../../fleet/director-status.js';
import {
  directorsPrefix,
  encodePushFile,
  fleetPrefix,
  servicesPrefix,
} from '../../fleet/shared-services.js';
import { errorMessage } from '../../model/guards.js';

export const usage = `usage: ipvs fleet push FILE --etcd URL[,URL...] --prefix PREFIX
       ipvs fleet status --etcd URL[,URL...] --prefix PREFIX [--json]

push    validates FILE (YAML or JSON: a \`services\` list, as in ipvs serve's config) and writes
        it in one transaction: PREFIX/services/<service> for each service, the prefix's other
        services deleted. Nothing is written when FILE does not validate. Every
        \`ipvs serve --etcd URL --prefix PREFIX\` applies it by difference.
status  lists the directors following PREFIX: the revision each applied, its services and
        real servers up/down, a refused revision. A director that died is gone after its TTL.

options:
  --etcd URLS       etcd client URLs, comma-separated (http://10.0.0.1:2379)
  --prefix PREFIX   the fleet's key prefix
  --json            status: the entries as JSON
  -h, --help        this text
`;

function fail(message: string, code: number): number {
  process.stderr.write(`ipvs fleet: ${message}\n${code === 2 ? usage : ''}`);
  return code;
}

export async function run(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        etcd: { type: 'string' },
        prefix: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return fail(errorMessage(error), 2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const [action, file, ...extra] = positionals;
  if (action !== 'push' && action !== 'status') return fail('push or status?', 2);
  if (action === 'push' && file === undefined) return fail('push needs FILE', 2);
  if (extra.length > 0 || (action === 'status' && file !== undefined))
    return fail(`unexpected ${[file, ...extra].join(' ')}`, 2);
  if (values.etcd === undefined) return fail('--etcd is missing', 2);
  if (values.prefix === undefined) return fail('--prefix is missing', 2);
  let prefix: string;
  try {
    prefix = fleetPrefix(values.prefix);
  } catch (error) {
    return fail(errorMessage(error), 2);
  }
  const urls = values.etcd.split(',').map((url) => url.trim());

  let entries: Map<string, string> | undefined;
  if (action === 'push') {
    try {
      entries = encodePushFile(await readFile(file ?? '', 'utf8'), file ?? '', prefix);
    } catch (error) {
      return fail(`${errorMessage(error)} (nothing written)`, 1);
    }
  }
  const store = await openStore(urls);
  try {
    if (entries) {
      const result = await store.replacePrefix(servicesPrefix(prefix), entries);
      process.stdout.write(
        `${file ?? ''}: ${entries.size} services at revision ${result.revision}` +
          ` (${result.put.length} written, ${result.deleted.length} deleted)\n`,
      );
      return 0;
    }
    const { revision, entries: directors } = await store.readPrefix(directorsPrefix(prefix));
    const statuses = [...directors.values()].map((text) => JSON.parse(text) as DirectorStatus);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ revision, directors: statuses }, null, 2)}\n`);
      return 0;
    }
    for (const s of statuses) {
      const d = s.destinations;
      const refused = s.refused ? `, refused ${s.refused.revision}: ${s.refused.error}` : '';
      process.stdout.write(
        `${s.name}: revision ${s.revision ?? '-'}, ${s.services} services (${s.sharedServices} shared), ` +
          `real servers ${d.up} up ${d.down} down ${d.unknown} unknown${refused}, at ${s.time}\n`,
      );
    }
    return 0;
  } catch (error) {
    return fail(`etcd: ${errorMessage(error)}`, 1);
  } finally {
    store.close();
  }
}
