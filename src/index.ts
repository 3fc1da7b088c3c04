/** The embedding API: `import { ... } from 'tcpwarden'`. */
export * from './interfaces/tcp-event';
export * from './interfaces/alert';
export { UserError } from './errors/user-error';
