// ipvs check-director --vip VIP --mode nat|dr|tun [--netns NAME|PATH]
import { checkDirector } from '../../host/checks.js';
import { printFindings } from './findings-output.js';
import { guarded, parseRealServerArgs } from './real-server-args.js';

const USAGE = 'usage: ipvs check-director --vip VIP --mode nat|dr|tun [--netns NAME|PATH]';

export async function run(argv: readonly string[]): Promise<number> {
  return guarded(USAGE, async () => {
    const args = parseRealServerArgs(argv);
    const findings = await checkDirector({
      vip: args.vip,
      mode: args.mode,
      ...(args.netns ? { netns: args.netns } : {}),
    });
    return printFindings('director', findings);
  });
}
