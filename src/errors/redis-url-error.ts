import { UserError } from './user-error';

/** A `--redis` URL that is not `redis://` or `rediss://`, or does not parse. */
export class RedisUrlError extends UserError {
  constructor(shown: string, why: string) {
    super('REDIS_URL_INVALID', `invalid Redis URL '${shown}': ${why} (expected redis://[[user]:password@]host[:port][/db] or rediss://...)`, 2);
  }
}
