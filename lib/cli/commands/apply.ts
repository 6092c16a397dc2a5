// `ipvs apply FILE [--prune] [--dry-run] [--netns NAME|PATH]`: make the kernel's table match a
// desired state (JSON, YAML, or an ipvsadm rules file; "-" reads standard input).
// Exit codes: 0 the table matches (changed or already so; a dry run with nothing to do);
// 1 some steps were refused by the kernel (the rest were applied); 2 bad command line or bad
// desired state (nothing changed); 3 IPVS could not be opened or read;
// 4 dry run: changes are pending.
import { readFileSync } from 'node:fs';
import { apply } from '../../apply/apply.js';
import { parseState } from '../../apply/load.js';
import type { DesiredState } from '../../state/schema.js';
import { IpvsError } from '../../core/errors.js';
import { processOutput } from '../io.js';
import { netnsPath } from '../global-options.js';
import { openIpvs } from '../run-ipvsadm.js';
import { renderOperation } from '../../ipvsadm/render.js';
import { RulesError } from '../../ipvsadm/rules.js';
import { errorMessage } from '../../model/guards.js';

const USAGE = 'usage: ipvs apply FILE|- [--prune] [--dry-run] [--netns NAME|PATH]\n';

/** A one-line bar on a terminal; nothing otherwise (logs stay clean). */
function progressBar(
  stream: NodeJS.WriteStream,
): ((done: number, total: number) => void) | undefined {
  if (!stream.isTTY) return undefined;
  return (done, total) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    stream.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`,
    );
  };
}

export async function run(argv: readonly string[]): Promise<number> {
  const io = processOutput;
  let file: string | undefined;
  let prune = false;
  let dryRun = false;
  let netns: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '--prune') prune = true;
    else if (word === '--dry-run') dryRun = true;
    else if (word === '--netns' && argv[i + 1]) netns = netnsPath(argv[++i] ?? '');
    else if (word === '-h' || word === '--help') {
      io.out(USAGE);
      return 0;
    } else if (file === undefined && (word === '-' || !word.startsWith('-'))) file = word;
    else {
      io.err(`ipvs apply: unexpected argument ${word}\n${USAGE}`);
      return 2;
    }
  }
  if (file === undefined) {
    io.err(USAGE);
    return 2;
  }
  let desired: DesiredState;
  try {
    desired = parseState(file, readFileSync(file === '-' ? 0 : file, 'utf8'));
  } catch (error) {
    const why =
      error instanceof RulesError
        ? error.message
        : error instanceof Error
          ? error.message
          : String(error);
    io.err(`ipvs apply: ${file}: ${why}\n`);
    return 2;
  }
  const ipvs = await openIpvs(netns, io);
  if (!ipvs) return 3;
  try {
    const onProgress = progressBar(process.stderr);
    const result = await apply(ipvs, desired, {
      prune,
      dryRun,
      ...(onProgress ? { onProgress } : {}),
    });
    if (result.steps.length === 0) {
      io.out('no changes: the table already matches\n');
      return 0;
    }
    if (dryRun) {
      io.out(
        `plan: ${result.steps.length} change(s)\n${result.steps.map((s) => `${renderOperation(s)}\n`).join('')}`,
      );
      return 4;
    }
    for (const f of result.failures)
      io.err(`failed: ${renderOperation(f.step)}: ${f.error.message}\n`);
    io.out(`applied ${result.applied} of ${result.steps.length} change(s)\n`);
    return result.failures.length === 0 ? 0 : 1;
  } catch (error) {
    io.err(`ipvs apply: ${errorMessage(error)}\n`);
    return error instanceof IpvsError ? 3 : 2;
  } finally {
    ipvs.close();
  }
}
