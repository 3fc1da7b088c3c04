/** The embedding API: `import { ... } from 'tcpwarden'`. */
export * from './interfaces/tcp-event';
export * from './interfaces/alert';
export { UserError } from './errors/user-error';
export { Collector } from './collector/collector';
export type { CollectorOptions, CollectorStats, CollectorStart, TracepointStats } from './collector/collector';
