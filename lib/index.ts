// ipvs-native: program the Linux kernel's IPVS (LVS) over generic netlink.
export { Ipvs } from './ipvs.js';
export { Batch, type BatchResult } from './batch.js';
export { IpvsError, errnoCode } from './errors.js';
export { parseConnections } from './connections.js';
export type * from './types.js';
export type { TransportCounters } from './native.js';
export { prepareRealServer, undoRealServer, describeChange, type RealServerOptions, type RealServerChange, type PreparedRealServer } from './real-server.js';
export { checkDirector, checkRealServer, type Finding, type FindingCode, type CheckOptions, type RealServerCheckOptions } from './checks.js';
export { NetConfigError } from './net-config.js';
export type { LvsMode } from './lvs-mode.js';
