// `ipvs`: a subcommand (apply, drain, ...) or, for anything else, ipvsadm 1.31's command line
// with its output, plus --netns NAME|PATH (any command) and --json (listings).
import { processOutput, type Output } from './io.js';
import { CliExit } from '../ipvsadm/exit.js';
import { parseArgs } from '../ipvsadm/parse-args.js';
import { DEFAULT_LIST_FORMAT } from '../ipvsadm/command.js';
import { runCommand } from './run-ipvsadm.js';
import { subcommands } from './subcommands.js';
import { extractGlobalOptions } from './global-options.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface MainOptions {
  /** argv[0] as the usage and "Try ..." hints print it. */
  program?: string;
  /** Standard input (for -R). */
  readInput?: () => Promise<string>;
}

export async function main(
  argv: readonly string[],
  io: Output = processOutput,
  options: MainOptions = {},
): Promise<number> {
  const program = options.program ?? 'ipvs';
  const word = argv[0];
  const load = word === undefined ? undefined : subcommands[word];
  if (load) return (await load()).run(argv.slice(1));

  const global = extractGlobalOptions(argv);
  if ('error' in global) {
    io.err(`${global.error}\n`);
    return 2;
  }
  const run = {
    json: global.json,
    extended: global.extended,
    readInput: options.readInput ?? readStdin,
    ...(global.netns ? { netns: global.netns } : {}),
  };
  // Without arguments ipvsadm lists the table.
  if (global.rest.length === 0) {
    return runCommand({ kind: 'list', format: { ...DEFAULT_LIST_FORMAT }, what: 'all' }, run, io);
  }
  try {
    const command = parseArgs(global.rest, { program });
    if (command.kind === 'help' || command.kind === 'version') return 0;
    return await runCommand(command, run, io);
  } catch (error) {
    if (!(error instanceof CliExit)) throw error;
    if (error.stdout) io.out(error.stdout);
    if (error.stderr) io.err(error.stderr);
    return error.code;
  }
}
