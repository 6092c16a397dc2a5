// How check-director and check-real-server print findings, and their exit status: 0 when there
// are none, 1 when there are (so that scripts can gate on it).
import type { Finding } from '../../host/checks.js';

export function printFindings(what: string, findings: readonly Finding[]): number {
  if (findings.length === 0) {
    process.stdout.write(`${what}: no problems found\n`);
    return 0;
  }
  process.stdout.write(`${what}: ${findings.length} problem${findings.length > 1 ? 's' : ''}\n`);
  for (const f of findings) process.stdout.write(`  ${f.code}: ${f.message}\n    fix: ${f.fix}\n`);
  return 1;
}
