// Reading a desired state from a file: JSON, YAML, or an ipvsadm rules file (what -S writes).
import { parse as parseYaml } from 'yaml';
import { COMMAND_OF_OPERATION } from '../ipvsadm/options.js';
import { parseRules } from '../ipvsadm/rules.js';
import { keyOf } from '../state/plan.js';
import type { DesiredService, DesiredState } from '../state/schema.js';

export type StateFormat = 'json' | 'yaml' | 'rules';

/** By extension, else by content: lines of ipvsadm options ("-A -t ...") are a rules file. */
export function detectFormat(path: string, text: string): StateFormat {
  if (/\.json$/i.test(path)) return 'json';
  if (/\.ya?ml$/i.test(path)) return 'yaml';
  const first = text.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('#')) ?? '';
  return /^\s*(ipvsadm\s+)?-[A-Za-z-]/.test(first) ? 'rules' : 'yaml';
}

/** ipvsadm rules as a desired state: -A and -a lines only (anything else is not a state). */
export function stateFromRules(text: string): DesiredState {
  const services = new Map<string, DesiredService>();
  const keyText = (key: object): string => JSON.stringify(keyOf(key as DesiredService));
  for (const { line, operation } of parseRules(text)) {
    if (operation.op === 'addService') {
      services.set(keyText(operation.service), { ...operation.service, destinations: [] });
    } else if (operation.op === 'addDestination') {
      const service = services.get(keyText(operation.service));
      if (!service)
        throw new SyntaxError(
          `line ${line}: real server for a service that no earlier -A line adds`,
        );
      service.destinations?.push(operation.destination);
    } else {
      throw new SyntaxError(
        `line ${line}: a desired state has only -A and -a lines, not ${COMMAND_OF_OPERATION[operation.op]}`,
      );
    }
  }
  return { services: [...services.values()] };
}

export function parseState(path: string, text: string): DesiredState {
  const format = detectFormat(path, text);
  if (format === 'rules') return stateFromRules(text);
  const value: unknown = format === 'json' ? JSON.parse(text) : parseYaml(text);
  return (value ?? { services: [] }) as DesiredState;
}
