// How the ipvsadm command line ends early: the text ipvsadm would print and its exit code.

/** The process must end: text for stdout or stderr, and the exit code ipvsadm would use. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    readonly stderr: string,
    readonly stdout = '',
  ) {
    super(stderr || stdout);
  }
}

/** ipvsadm's fail(2, ...): a refused command line, exit code 2. */
export function fail(message: string): never {
  throw new CliExit(2, `${message}\n`);
}
