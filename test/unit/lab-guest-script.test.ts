// The lab hands its command to the guest as a shell script: every argument must survive quoting.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { guestScript, shellQuote } from '../lab/vm.js';

const awkward = [
  "it's",
  'two words',
  '$HOME',
  '`uname`',
  '"quoted"',
  '',
  'back\\slash',
  'new\nline',
  '*',
];

describe('lab guest script', () => {
  it('quotes every argument so that sh sees it unchanged', () => {
    const script = `printf '%s\\0' ${awkward.map(shellQuote).join(' ')}`;
    const echoed = execFileSync('sh', ['-c', script], { encoding: 'utf8' })
      .split('\0')
      .slice(0, -1);
    expect(echoed).toEqual(awkward);
  });

  it('runs the command in the given directory with the lab marker set', () => {
    const script = guestScript(
      ['sh', '-c', 'printf "%s|%s|%s" "$PWD" "$IPVS_LAB" "$1"', 'sh', "it's"],
      '/',
    );
    const output = execFileSync('sh', ['-c', script], { encoding: 'utf8', env: {} });
    expect(output).toBe("/|1|it's");
  });
});
