import IORedis from 'ioredis';
import { RedisDeliveryClaims } from '../../../src/alerts/delivery/redis-delivery-claims';
import { startRedis, type TestRedis } from '../../support/redis-server';

let redis: TestRedis;
let client: IORedis;

beforeAll(async () => {
  redis = await startRedis();
  client = new IORedis(redis.url);
});
afterAll(async () => {
  await client.quit();
  await redis.stop();
});

test('a claim is provisional (a minute) until confirmed, then kept for the dedup time; release frees it', async () => {
  const claims = new RedisDeliveryClaims(client, 7 * 24 * 3600 * 1000, false);
  const key = 'tcpwarden:alerts:claim:soc:a1';
  expect(await claims.claim('soc', 'a1')).toBe(true);
  expect(await claims.claim('soc', 'a1')).toBe(false);
  const provisional = await client.pttl(key);
  expect(provisional).toBeGreaterThan(50_000);
  expect(provisional).toBeLessThanOrEqual(60_000);
  await claims.confirm('soc', 'a1');
  expect(await client.pttl(key)).toBeGreaterThan(6 * 24 * 3600 * 1000);
  await claims.release('soc', 'a1');
  expect(await claims.claim('soc', 'a1')).toBe(true);
});
