import type { ConnectionOptions } from 'node:tls';

/** Where Redis is and how to trust it. */
export interface RedisTarget {
  /** `redis://` or `rediss://` (TLS), with user and password if Redis wants them. */
  url: string;
  /**
   * For `rediss://` only: TLS settings over the defaults (system CAs, host name checked), e.g.
   * `{ ca }` for a private certificate authority, or `{ cert, key }` when Redis checks clients.
   */
  tls?: ConnectionOptions;
}
