// ipvs prepare-real-server --vip VIP --mode dr|tun [--netns NAME|PATH] [--undo]
// Prepares (or, with --undo, unprepares) a real server for LVS-DR or LVS-TUN; prints each change.
import { describeChange, prepareRealServer, undoRealServer } from '../../host/real-server.js';
import { guarded, parseRealServerArgs } from './real-server-args.js';

const USAGE =
  'usage: ipvs prepare-real-server --vip VIP --mode dr|tun [--netns NAME|PATH] [--undo]';

export async function run(argv: readonly string[]): Promise<number> {
  return guarded(USAGE, async () => {
    const args = parseRealServerArgs(argv, { undo: true });
    const options = {
      vip: args.vip,
      mode: args.mode,
      ...(args.netns ? { netns: args.netns } : {}),
    };
    const changes = args.undo
      ? await undoRealServer(options)
      : (await prepareRealServer(options)).changes;
    const verb = args.undo ? 'undone' : 'set';
    if (changes.length === 0)
      process.stdout.write(
        args.undo ? 'nothing to undo\n' : 'already prepared: nothing to change\n',
      );
    for (const change of changes) process.stdout.write(`${verb}: ${describeChange(change)}\n`);
    return 0;
  });
}
