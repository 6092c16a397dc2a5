// The status page: statusRoutes() for the observe listener, and what its tests and the CLI use.
export {
  statusRoutes,
  RECENT_CHANGES,
  type StatusRoutes,
  type StatusRoutesOptions,
} from './routes.js';
export { snapshotJson } from './json.js';
export type { ChangeEntry } from './changes.js';
