// ipvs-native: program the Linux kernel's IPVS (LVS) over generic netlink.
export { Ipvs } from './ipvs.js';
export { Batch, type BatchResult } from './batch.js';
export { IpvsError, errnoCode } from './errors.js';
export { parseConnections } from './connections.js';
export type * from './types.js';
export type { TransportCounters } from './native.js';
export { apply, type ApplyOptions, type ApplyResult } from './apply/apply.js';
export type { DesiredService, DesiredState } from './apply/schema.js';
export type { Step as ApplyStep } from './apply/plan.js';
export { drain, type DrainOptions, type DrainResult } from './drain.js';
// Health checks: names carry "Health" where a plain one could clash with other parts of the API.
export {
  HealthChecker,
  HealthConfigError,
  validateHealthConfig,
  parseHealthConfig,
  loadHealthConfig,
  jsonLinesLogger as healthJsonLinesLogger,
  runCheck as runHealthCheck,
} from './health/index.js';
export type {
  HealthCheckerOptions,
  ServiceStatus as HealthServiceStatus,
  DestinationStatus as HealthDestinationStatus,
  ValidateOptions as HealthValidateOptions,
  Logger as HealthLogger,
  LogLevel as HealthLogLevel,
  LogRecord as HealthLogRecord,
  CheckResult as HealthCheckResult,
  IpvsTable,
  Health,
  HealthEvents,
  CheckReport,
  StateChange,
  QuorumChange,
  SyncReason,
  SyncReport,
  RepairReport,
  HealthConfig,
  HealthConfigInput,
  ServiceInput as HealthServiceInput,
  DestinationInput as HealthDestinationInput,
  SorryServerInput,
  CheckInput,
  TcpCheckInput,
  HttpCheckInput,
  CommandCheckInput,
  CustomCheckInput,
  CustomCheck,
  CheckTarget,
  FailureAction,
  DurationInput,
} from './health/index.js';
export { prepareRealServer, undoRealServer, describeChange, type RealServerOptions, type RealServerChange, type PreparedRealServer } from './real-server.js';
export { checkDirector, checkRealServer, type Finding, type FindingCode, type CheckOptions, type RealServerCheckOptions } from './checks.js';
export { NetConfigError } from './net-config.js';
export type { LvsMode } from './lvs-mode.js';
