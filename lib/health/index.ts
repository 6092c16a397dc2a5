// Health checks for real servers: checks, quorum, sorry server, drift repair, reload by diff.
export {
  HealthChecker,
  type HealthCheckerOptions,
  type ServiceStatus,
  type DestinationStatus,
} from './checker.js';
export { validateHealthConfig, type ValidateOptions } from './config.js';
export { loadHealthConfig, parseHealthConfig } from './config-file.js';
export { HealthConfigError, formatPath } from './config-error.js';
export { jsonLinesLogger, type Logger, type LogLevel, type LogRecord } from './log.js';
export { runCheck, type CheckResult } from './checks/run-check.js';
export type { IpvsTable } from './reconcile.js';
export type { Health } from './health-state.js';
export type * from './events.js';
export type * from './types.js';
