// What an ipvsadm command line means: a listing (or -R, which reads its rules from stdin), or an
// operation that changes the kernel's table, stated as the library's one Operation type.
import type { Operation } from '../core/operation.js';
import type { ServiceKey } from '../model/types.js';

export interface ListFormat {
  numeric: boolean;
  stats: boolean;
  rate: boolean;
  thresholds: boolean;
  persistentConn: boolean;
  noSort: boolean;
  exact: boolean;
  tunInfo: boolean;
}

/** ipvsadm's listing with no option: names resolved, nothing extra. */
export const DEFAULT_LIST_FORMAT: Readonly<ListFormat> = {
  numeric: false,
  stats: false,
  rate: false,
  thresholds: false,
  persistentConn: false,
  noSort: false,
  exact: false,
  tunInfo: false,
};

export type Command =
  | { kind: 'list'; format: ListFormat; what: 'all' | 'connections' | 'timeout' | 'daemon' }
  | { kind: 'list-service'; format: ListFormat; service: ServiceKey }
  | { kind: 'save'; format: ListFormat }
  | { kind: 'restore' }
  /** -A -E -D -a -e -d -C -Z --set --start-daemon --stop-daemon. */
  | { kind: 'operation'; operation: Operation };

export type Parsed = Command | { kind: 'help' } | { kind: 'version' };
