// ipvsadm rules files (what -S writes, what -R reads): parsed whole, each line to an operation.
import type { Batch } from '../core/batch.js';
import type { Operation } from '../core/operation.js';
import { CliExit } from './exit.js';
import type { ServiceNames } from './names.js';
import { parseArgs } from './parse-args.js';
import { errorMessage } from '../model/guards.js';

export interface RuleLine {
  line: number;
  operation: Operation;
}

export class RulesError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
    readonly code: number,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/** The words of one rules line, as ipvsadm's restore splits them ("ipvsadm" itself dropped). */
export function lineWords(text: string): string[] {
  return text.split(/[ \t\r]+/).filter((w) => w !== '' && w !== 'ipvsadm');
}

/** Parses a rules file (what -S writes; blank lines and # comments allowed). Throws RulesError. */
export function parseRules(text: string, services?: ServiceNames): RuleLine[] {
  const rules: RuleLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    let parsed;
    try {
      parsed = parseArgs(
        lineWords(trimmed),
        services
          ? { program: 'ipvsadm', restoring: true, services }
          : { program: 'ipvsadm', restoring: true },
      );
    } catch (error) {
      if (error instanceof CliExit)
        throw new RulesError(line, (error.stderr || error.stdout).trim(), error.code);
      throw error;
    }
    if (parsed.kind !== 'operation') {
      throw new RulesError(
        line,
        `only commands that change the table belong in a rules file (${trimmed})`,
        2,
      );
    }
    rules.push({ line, operation: parsed.operation });
  });
  return rules;
}

/** Adds one parsed rule to a batch. Validation errors name the rule's line. */
export function addToBatch(batch: Batch, rule: RuleLine): void {
  try {
    batch.add(rule.operation);
  } catch (error) {
    throw new RulesError(rule.line, errorMessage(error), 2);
  }
}
