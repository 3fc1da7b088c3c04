import type { Redis } from 'ioredis';
import type { DeliveryClaims } from './delivery-claims';

const PREFIX = 'tcpwarden:alerts:claim:';

/** Claims shared by every process on one Redis: SET NX with an expiry, so two workers never both queue one alert for one sink. */
export class RedisDeliveryClaims implements DeliveryClaims {
  /** `owned`: these claims made the connection and close it. */
  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
    private readonly owned: boolean,
  ) {}

  async claim(sinkId: string, alertId: string): Promise<boolean> {
    return (await this.redis.set(`${PREFIX}${sinkId}:${alertId}`, '1', 'PX', this.ttlMs, 'NX')) === 'OK';
  }

  async release(sinkId: string, alertId: string): Promise<void> {
    await this.redis.del(`${PREFIX}${sinkId}:${alertId}`);
  }

  async close(): Promise<void> {
    if (this.owned) await this.redis.quit();
  }
}
