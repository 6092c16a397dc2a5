// A small command-line scanner that behaves like the popt library ipvsadm 1.31 is built with:
// short options cluster (-Ln), a short option's argument may follow it in the same word (-w5),
// long options take "--name value" or "--name=value", an optional argument (-p) is only taken
// from the next word when that word does not start with '-', "--" ends the options, and words
// that are not options are collected, in order, as leftover arguments.

export type ArgumentKind = 'none' | 'required' | 'optional';

export interface OptionDef {
  long: string;
  short?: string;
  argument: ArgumentKind;
  /** What the scanner reports for this option (ipvsadm's popt "val"). */
  tag: string;
}

export interface ScannedOption {
  tag: string;
  /** The argument, when the option has one. */
  value?: string;
  /** The word it came from, as popt's poptBadOption() shows it. */
  word: string;
}

/** popt's own failures: poptStrerror() texts. */
export class PoptError extends Error {
  constructor(
    readonly word: string,
    readonly reason: 'unknown option' | 'missing argument',
  ) {
    super(`${word}: ${reason}`);
  }
}

export interface Scan {
  /** Options in the order given; scanning stops at the first error (popt reports it then). */
  options: ScannedOption[];
  leftovers: string[];
  /** The first error met, after `options` (popt returns the options before it one by one). */
  error?: PoptError;
}

export function scan(argv: readonly string[], table: readonly OptionDef[]): Scan {
  const options: ScannedOption[] = [];
  const leftovers: string[] = [];
  const byLong = new Map(table.map((d) => [d.long, d]));
  const byShort = new Map(table.filter((d) => d.short !== undefined).map((d) => [d.short, d]));
  let i = 0;
  const nextWordAsArgument = (kind: ArgumentKind): string | undefined => {
    const next = argv[i + 1];
    if (next === undefined) return undefined;
    if (kind === 'optional' && next.startsWith('-')) return undefined;
    i++;
    return next;
  };
  const fail = (word: string, reason: PoptError['reason']): Scan => ({
    options,
    leftovers,
    error: new PoptError(word, reason),
  });

  for (; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '--') {
      leftovers.push(...argv.slice(i + 1));
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = word.slice(2, eq === -1 ? undefined : eq);
      const def = byLong.get(name);
      if (!def) return fail(word, 'unknown option');
      if (def.argument === 'none') {
        options.push({ tag: def.tag, word });
        continue;
      }
      const value = eq === -1 ? nextWordAsArgument(def.argument) : word.slice(eq + 1);
      if (value === undefined && def.argument === 'required') return fail(word, 'missing argument');
      options.push(value === undefined ? { tag: def.tag, word } : { tag: def.tag, value, word });
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      for (let j = 1; j < word.length; j++) {
        const def = byShort.get(word[j]);
        if (!def) return fail(word, 'unknown option');
        if (def.argument === 'none') {
          options.push({ tag: def.tag, word });
          continue;
        }
        const rest = word.slice(j + 1);
        const value = rest !== '' ? rest : nextWordAsArgument(def.argument);
        if (value === undefined && def.argument === 'required')
          return fail(word, 'missing argument');
        options.push(value === undefined ? { tag: def.tag, word } : { tag: def.tag, value, word });
        break;
      }
      continue;
    }
    leftovers.push(word);
  }
  return { options, leftovers };
}
