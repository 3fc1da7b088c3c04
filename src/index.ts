/** The embedding API: `import { ... } from 'tcpwarden'`. */
export * from './interfaces/tcp-event';
export { UserError } from './errors/user-error';
