// What the BGP announcements need from the routing daemon, as a port: the controller
// (announcements.ts) is written and unit-tested against it with a fake, and FRR stays behind one
// adapter (vtysh.ts). Both calls are idempotent: announcing an announced prefix, or withdrawing
// one that is not announced, succeeds and changes nothing.
import type { Prefix } from './prefix.js';

export interface RouteAnnouncer {
  /** Has the routing daemon announce `prefix` to its peers. */
  announce(prefix: Prefix): Promise<void>;
  /** Has it withdraw `prefix`. */
  withdraw(prefix: Prefix): Promise<void>;
}

/** A refused or failed announce/withdraw: what the program said, and how it ended. */
export class RouteAnnouncerError extends Error {
  override name = 'RouteAnnouncerError';

  constructor(
    message: string,
    /** The program's exit status, when it ran and exited. */
    readonly exitCode: number | undefined,
    /** errno's name when it could not run ("ENOENT"), or the signal that ended it. */
    readonly code: string | undefined,
    /** What it wrote (stderr, else stdout), trimmed. */
    readonly output: string,
  ) {
    super(message);
  }
}
