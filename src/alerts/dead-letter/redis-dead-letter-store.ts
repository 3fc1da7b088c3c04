import type { Redis } from 'ioredis';
import { Deadline } from '../../lifecycle/deadline';
import { closeRedis } from '../../queue/redis-connection';
import type { DeadLetterEntry } from './dead-letter-entry';
import type { DeadLetterStore } from './dead-letter-store';

export const DEAD_LETTER_KEY = 'tcpwarden:alerts:dead-letter';

/** The dead-letter list as a Redis list (RPUSH, so LRANGE gives oldest first), shared by every process on that Redis. */
export class RedisDeadLetterStore implements DeadLetterStore {
  /** `owned`: this store made the connection and closes it. */
  constructor(
    private readonly redis: Redis,
    private readonly owned: boolean,
  ) {}

  async add(entry: DeadLetterEntry): Promise<void> {
    await this.redis.rpush(DEAD_LETTER_KEY, JSON.stringify(entry));
  }

  async list(): Promise<DeadLetterEntry[]> {
    return (await this.redis.lrange(DEAD_LETTER_KEY, 0, -1)).map((raw) => JSON.parse(raw) as DeadLetterEntry);
  }

  async remove(ids: string[]): Promise<void> {
    const gone = new Set(ids);
    // LREM needs the exact stored string: find each, then remove that one element (safe while others push).
    for (const raw of await this.redis.lrange(DEAD_LETTER_KEY, 0, -1))
      if (gone.has((JSON.parse(raw) as DeadLetterEntry).id)) await this.redis.lrem(DEAD_LETTER_KEY, 1, raw);
  }

  /** QUIT while Redis answers; a plain disconnect when it is away or `deadline` (default 10 s) passes. */
  async close(deadline = Deadline.after(10_000)): Promise<void> {
    if (this.owned) await closeRedis(this.redis, deadline);
  }
}
