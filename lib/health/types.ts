// The health checker's data model: the config as a user writes it (…Input, loose, with defaults
// and durations as text) and as validateHealthConfig() returns it (normalised, every default filled in).
import type { DestinationSpec, ForwardMethod, ServiceSpec, TunnelSpec } from '../model/types.js';

/** What a check connects to: by default the destination's own address and port. */
export interface CheckTarget {
  address: string;
  port: number;
}

/** A library check: resolves true (healthy) or false, or rejects (unhealthy); must honour the signal. */
export type CustomCheck = (target: CheckTarget, signal: AbortSignal) => Promise<boolean>;

/** A duration: milliseconds, or text with a unit: "200ms", "2s", "1m". */
export type DurationInput = number | string;

interface TimingInput {
  /** Time between check cycles. Default 5s. */
  interval?: DurationInput;
  /** Deadline of one attempt, connection to last byte. Default 3s. */
  timeout?: DurationInput;
  /** Further attempts after a failed one, within a cycle (keepalived's retry). Default 1. */
  retries?: number;
  /** Pause before each retry (keepalived's delay_before_retry). Default 1s. */
  retryDelay?: DurationInput;
  /** Successful cycles in a row that bring a down server up. Default 1. */
  rise?: number;
  /** Failed cycles in a row that take an up server down. Default 1. */
  fall?: number;
  /** Connect to this address instead of the destination's (keepalived's connect_ip). */
  address?: string;
  /** Connect to this port instead of the destination's (keepalived's connect_port). */
  port?: number;
}

export interface TcpCheckInput extends TimingInput {
  type: 'tcp';
}

export interface HttpCheckInput extends TimingInput {
  type: 'http' | 'https';
  /** Default '/'. */
  path?: string;
  /** Host header (and TLS server name). Default: the target address. */
  host?: string;
  /** Accepted status codes: numbers or ranges such as "200-299". Default [200]. */
  expectStatus?: ReadonlyArray<number | string>;
  /** A regular expression the body must match (first 64 KiB). */
  bodyMatch?: string;
  /** https only: verify the server's certificate. Default false, as keepalived's SSL_GET. */
  verifyTls?: boolean;
}

export interface CommandCheckInput extends TimingInput {
  type: 'command';
  /** Program and arguments, run without a shell; exit status 0 is healthy. */
  argv: readonly string[];
}

export interface CustomCheckInput extends TimingInput {
  type: 'custom';
  /** A function, or the name of one given to the HealthChecker in `customChecks`. */
  run: CustomCheck | string;
}

export type CheckInput = TcpCheckInput | HttpCheckInput | CommandCheckInput | CustomCheckInput;

export type FailureAction = 'inhibit' | 'remove';

/** A real server as the API takes it (its weight is the healthy weight), and its check. */
export interface DestinationInput extends DestinationSpec {
  /** Default: the service's check; none at all means always healthy. */
  check?: CheckInput | null;
  /** Default: the service's. */
  onFailure?: FailureAction;
}

export type SorryServerInput = Omit<DestinationInput, 'check' | 'onFailure'>;

export type ServiceInput = ServiceSpec & {
  destinations?: readonly DestinationInput[];
  /** The check of every destination that does not name its own. */
  check?: CheckInput;
  /** inhibit: weight 0, existing connections carry on (default). remove: the destination goes. */
  onFailure?: FailureAction;
  /** Minimum total weight of healthy servers. Default 1 with a sorry server, else 0 (none). */
  quorum?: number;
  /** Quorum is lost below quorum - hysteresis and regained at quorum + hysteresis. Default 0. */
  hysteresis?: number;
  /** Takes the service over while quorum is lost. */
  sorryServer?: SorryServerInput;
};

export interface HealthConfigInput {
  services: readonly ServiceInput[];
  /** How often the kernel's table is read back and repaired. Default 10s; 0 turns it off. */
  reconcileInterval?: DurationInput;
  /** Delete the managed services when the checker stops. Default false. */
  flushOnStop?: boolean;
}

// ---- normalised ----

export interface CheckTiming {
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  rise: number;
  fall: number;
}

export type CheckKind =
  | { type: 'tcp' }
  | {
      type: 'http' | 'https';
      path: string;
      host: string | undefined;
      expectStatus: ReadonlyArray<readonly [number, number]>;
      bodyMatch: RegExp | undefined;
      verifyTls: boolean;
    }
  | { type: 'command'; argv: readonly [string, ...string[]] }
  | { type: 'custom'; run: CustomCheck; name: string };

export type CheckSpec = CheckKind & { target: CheckTarget; timing: CheckTiming };

/** A destination as the kernel should hold it when healthy. */
export interface DestinationState {
  address: string;
  port: number;
  forward: ForwardMethod;
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;
  tunnel?: TunnelSpec;
}

export interface DestinationConfig {
  /** "10.0.0.2:80": unique within its service. */
  id: string;
  dest: DestinationState;
  check: CheckSpec | undefined;
  onFailure: FailureAction;
  /** Where it was declared, e.g. "services[0].destinations[1]". */
  path: string;
}

export interface ServiceConfig {
  /** "tcp 192.168.8.200:80" or "fwmark 7": unique in the config. */
  id: string;
  /** What addService() takes (health fields removed). */
  spec: ServiceSpec;
  scheduler: string;
  destinations: DestinationConfig[];
  quorum: number;
  hysteresis: number;
  sorryServer: DestinationState | undefined;
  path: string;
}

export interface HealthConfig {
  services: ServiceConfig[];
  reconcileIntervalMs: number;
  flushOnStop: boolean;
}
