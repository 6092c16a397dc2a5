// ipvs check-real-server --vip VIP --mode nat|dr|tun [--director DIP] [--netns NAME|PATH]
// (--director, the director's address on the real servers' network, is required for nat.)
import { checkRealServer } from '../../host/checks.js';
import { printFindings } from './findings-output.js';
import { guarded, parseRealServerArgs } from './real-server-args.js';

const USAGE =
  'usage: ipvs check-real-server --vip VIP --mode nat|dr|tun [--director DIP] [--netns NAME|PATH]';

export async function run(argv: readonly string[]): Promise<number> {
  return guarded(USAGE, async () => {
    const args = parseRealServerArgs(argv, { director: true });
    const findings = await checkRealServer({
      vip: args.vip,
      mode: args.mode,
      ...(args.netns ? { netns: args.netns } : {}),
      ...(args.director ? { director: args.director } : {}),
    });
    return printFindings('real server', findings);
  });
}
