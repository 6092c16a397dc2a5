// ipvsadm -R, done properly: the whole input is parsed first (a mistake names its line and
// nothing is applied), then every rule goes to the kernel in one batch, in order.
import type { IpvsHandle } from '../core/handle.js';
import { ipvsadmMessage } from '../ipvsadm/messages.js';
import { addToBatch, parseRules, RulesError, type RuleLine } from '../ipvsadm/rules.js';
import type { Output } from './io.js';

export async function restore(ipvs: IpvsHandle, text: string, io: Output): Promise<number> {
  let rules: RuleLine[];
  const built: RuleLine[] = [];
  try {
    rules = parseRules(text);
    // Build (and so validate) everything before the kernel sees any of it.
    const results = await ipvs.batch((batch) => {
      for (const rule of rules) {
        addToBatch(batch, rule);
        built.push(rule);
      }
    });
    let failed = 0;
    results.forEach((result, i) => {
      if (result.ok) return;
      failed++;
      const rule = built[i];
      io.err(
        `line ${rule?.line ?? '?'}: ${rule ? ipvsadmMessage(rule.operation.op, result.error.errno) : result.error.message}\n`,
      );
    });
    return failed === 0 ? 0 : 255;
  } catch (error) {
    if (!(error instanceof RulesError)) throw error;
    io.err(`${error.message}\n`);
    return error.code;
  }
}
