// The subcommand words of `ipvs`. Each module lives in commands/<name>.ts and exports
// `run(argv): Promise<number>` (it writes to stdout/stderr and returns the exit code). Anything
// else on the command line is read as ipvsadm's syntax.
export type SubcommandRun = (argv: readonly string[]) => Promise<number>;

export const subcommands: Readonly<Record<string, () => Promise<{ run: SubcommandRun }>>> = {
  apply: () => import('./commands/apply.js'),
  drain: () => import('./commands/drain.js'),
  serve: () => import('./commands/serve.js'),
  fleet: () => import('./commands/fleet.js'),
  exporter: () => import('./commands/exporter.js'),
  'prepare-real-server': () => import('./commands/prepare-real-server.js'),
  'check-director': () => import('./commands/check-director.js'),
  'check-real-server': () => import('./commands/check-real-server.js'),
};
