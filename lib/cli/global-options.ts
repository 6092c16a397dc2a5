// What every `ipvs` command takes besides ipvsadm's own options: --netns, --json, --extended.

export interface GlobalOptions {
  netns?: string;
  json: boolean;
  extended: boolean;
  rest: string[];
}

/** A namespace name means /run/netns/NAME (as `ip netns` makes them); a path is used as is. */
export function netnsPath(value: string): string {
  return value.includes('/') ? value : `/run/netns/${value}`;
}

/** Takes our own options (--netns, --json, --extended) out of an ipvsadm command line. */
export function extractGlobalOptions(argv: readonly string[]): GlobalOptions | { error: string } {
  const options: GlobalOptions = { json: false, extended: false, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '--') {
      options.rest.push(...argv.slice(i));
      break;
    }
    if (word === '--json') options.json = true;
    else if (word === '--extended') options.extended = true;
    else if (word === '--netns' || word.startsWith('--netns=')) {
      const value = word === '--netns' ? argv[++i] : word.slice('--netns='.length);
      if (!value) return { error: '--netns needs a namespace name or path' };
      options.netns = netnsPath(value);
    } else options.rest.push(word);
  }
  return options;
}
