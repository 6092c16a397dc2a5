// ipvs-native: program the Linux kernel's IPVS (LVS) over generic netlink.
export { Ipvs } from './ipvs.js';
export { Batch, type BatchBuild, type BatchResult } from './core/batch.js';
export type { Operation, OperationName } from './core/operation.js';
export { IpvsError, errnoCode } from './core/errors.js';
export { AddonLoadError } from './kernel/binding.js';
export { parseConnections } from './kernel/connections.js';
export type * from './model/types.js';
export type { TransportCounters } from './kernel/native.js';
export { apply, type ApplyOptions, type ApplyResult } from './apply/apply.js';
export type { DesiredService, DesiredState } from './state/schema.js';
export type { Step as ApplyStep } from './state/plan.js';
export { drain, type DrainOptions, type DrainResult } from './apply/drain.js';
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
export {
  prepareRealServer,
  undoRealServer,
  describeChange,
  type RealServerOptions,
  type RealServerChange,
  type PreparedRealServer,
} from './host/real-server.js';
export {
  checkDirector,
  checkRealServer,
  type Finding,
  type FindingCode,
  type CheckOptions,
  type RealServerCheckOptions,
} from './host/checks.js';
export { NetConfigError } from './host/net-config.js';
export type { LvsMode } from './host/lvs-mode.js';
