// ipvs-native: program the Linux kernel's IPVS (LVS) over generic netlink.
export { Ipvs } from './ipvs.js';
export { Batch, type BatchResult } from './batch.js';
export { IpvsError, errnoCode } from './errors.js';
export { parseConnections } from './connections.js';
export type * from './types.js';
export type { TransportCounters } from './native.js';
export * from './health/index.js';
