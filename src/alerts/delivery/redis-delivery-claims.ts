import type { Redis } from 'ioredis';
import { Deadline } from '../../lifecycle/deadline';
import { closeRedis } from '../../queue/redis-connection';
import type { DeliveryClaims } from './delivery-claims';

const PREFIX = 'tcpwarden:alerts:claim:';
/**
 * A claim lives this long until confirmed: if queueing fails and Redis is too far gone to take
 * the release either, the claim still lapses soon and a later hand-over is not mistaken for a
 * duplicate for days.
 */
const PROVISIONAL_MS = 60_000;

/** Claims shared by every process on one Redis: SET NX with an expiry, so two workers never both queue one alert for one sink. */
export class RedisDeliveryClaims implements DeliveryClaims {
  /** `owned`: these claims made the connection and close it. */
  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
    private readonly owned: boolean,
  ) {}

  async claim(sinkId: string, alertId: string): Promise<boolean> {
    return (await this.redis.set(`${PREFIX}${sinkId}:${alertId}`, '1', 'PX', Math.min(PROVISIONAL_MS, this.ttlMs), 'NX')) === 'OK';
  }

  async confirm(sinkId: string, alertId: string): Promise<void> {
    await this.redis.pexpire(`${PREFIX}${sinkId}:${alertId}`, this.ttlMs);
  }

  async release(sinkId: string, alertId: string): Promise<void> {
    await this.redis.del(`${PREFIX}${sinkId}:${alertId}`);
  }

  /** QUIT while Redis answers; a plain disconnect when it is away or `deadline` (default 10 s) passes. */
  async close(deadline = Deadline.after(10_000)): Promise<void> {
    if (this.owned) await closeRedis(this.redis, deadline);
  }
}
