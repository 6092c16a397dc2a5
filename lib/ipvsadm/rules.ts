// ipvsadm rules files (what -S writes, what -R reads): parsed whole, each line to an operation.
import type { Batch } from '../core/batch.js';
import { CliExit, parseArgs, type Command } from './parse-args.js';
import type { ServiceNames } from './names.js';

export interface RuleLine {
  line: number;
  command: Command;
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

const CHANGES = new Set<Command['kind']>([
  'flush',
  'add-service',
  'edit-service',
  'delete-service',
  'zero',
  'add-server',
  'edit-server',
  'delete-server',
  'set',
  'start-daemon',
  'stop-daemon',
]);

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
    if (parsed.kind === 'help' || parsed.kind === 'version' || !CHANGES.has(parsed.kind)) {
      throw new RulesError(
        line,
        `only commands that change the table belong in a rules file (${trimmed})`,
        2,
      );
    }
    rules.push({ line, command: parsed });
  });
  return rules;
}

/** Adds one parsed rule to a batch. Validation errors name the rule's line. */
export function addToBatch(batch: Batch, rule: RuleLine): void {
  const c = rule.command;
  try {
    switch (c.kind) {
      case 'flush':
        batch.flush();
        break;
      case 'add-service':
        batch.addService(c.service);
        break;
      case 'edit-service':
        batch.editService(c.service);
        break;
      case 'delete-service':
        batch.deleteService(c.service);
        break;
      case 'zero':
        batch.zero(c.service);
        break;
      case 'add-server':
        batch.addDestination(c.service, c.destination);
        break;
      case 'edit-server':
        batch.editDestination(c.service, c.destination);
        break;
      case 'delete-server':
        batch.deleteDestination(c.service, c.destination);
        break;
      case 'set':
        batch.setTimeouts(c.timeouts);
        break;
      case 'start-daemon':
        batch.startDaemon(c.daemon);
        break;
      case 'stop-daemon':
        batch.stopDaemon(c.state);
        break;
      default:
        throw new Error(`${c.kind} cannot be batched`);
    }
  } catch (error) {
    throw new RulesError(rule.line, error instanceof Error ? error.message : String(error), 2);
  }
}
