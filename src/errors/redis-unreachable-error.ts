import { UserError } from './user-error';

/** Redis did not answer (refused, timed out, wrong password) when tcpwarden started. Later outages are retried, never thrown. */
export class RedisUnreachableError extends UserError {
  constructor(maskedUrl: string, cause: string) {
    super('REDIS_UNREACHABLE', `cannot reach Redis at ${maskedUrl}: ${cause}`);
  }
}
