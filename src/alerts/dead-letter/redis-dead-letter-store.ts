import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Deadline } from '../../lifecycle/deadline';
import { closeRedis } from '../../queue/redis-connection';
import type { DeadLetterEntry } from './dead-letter-entry';
import type { DeadLetterStore } from './dead-letter-store';

export const DEAD_LETTER_KEY = 'tcpwarden:alerts:dead-letter';
/** Prefix of the claim keys: `<prefix><entry id>` holds the claiming store's token. */
export const DEAD_LETTER_CLAIM_PREFIX = 'tcpwarden:alerts:dead-letter:claim:';
/** A claim outlives a crashed holder by at most this long; a live holder renews it every third of it. */
const CLAIM_TTL_MS = 60_000;

// Only the holder's token renews or frees a claim: one that lapsed and was taken stays with its new holder.
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0";
const FREE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

/**
 * The dead-letter list as a Redis list (RPUSH, so LRANGE gives oldest first), shared by every
 * process on that Redis. A claim is a key per entry set with NX and a TTL, renewed while held.
 */
export class RedisDeadLetterStore implements DeadLetterStore {
  private readonly token = randomUUID();
  private readonly held = new Set<string>();
  private renewer?: NodeJS.Timeout;

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
    // Only after the entries left the list: a claim freed earlier could be taken and the entry sent again.
    await this.release(ids);
  }

  async claim(ids: string[]): Promise<string[]> {
    const got: string[] = [];
    for (const id of ids) if ((await this.redis.set(DEAD_LETTER_CLAIM_PREFIX + id, this.token, 'PX', CLAIM_TTL_MS, 'NX')) === 'OK') got.push(id);
    // Claimed after another run removed it: not in the list any more, so not ours to send.
    const listed = new Set((await this.list()).map((e) => e.id));
    const held = got.filter((id) => listed.has(id));
    await this.release(got.filter((id) => !listed.has(id)));
    for (const id of held) this.held.add(id);
    if (this.held.size > 0 && !this.renewer) {
      this.renewer = setInterval(() => {
        for (const id of this.held) void this.redis.eval(RENEW, 1, DEAD_LETTER_CLAIM_PREFIX + id, this.token, CLAIM_TTL_MS).catch(() => undefined);
      }, CLAIM_TTL_MS / 3);
      this.renewer.unref();
    }
    return held;
  }

  async release(ids: string[]): Promise<void> {
    for (const id of ids) {
      this.held.delete(id);
      await this.redis.eval(FREE, 1, DEAD_LETTER_CLAIM_PREFIX + id, this.token);
    }
    if (this.held.size === 0) {
      clearInterval(this.renewer);
      this.renewer = undefined;
    }
  }

  /** QUIT while Redis answers; a plain disconnect when it is away or `deadline` (default 10 s) passes. */
  async close(deadline = Deadline.after(10_000)): Promise<void> {
    clearInterval(this.renewer);
    this.renewer = undefined;
    if (this.owned) await closeRedis(this.redis, deadline);
  }
}
