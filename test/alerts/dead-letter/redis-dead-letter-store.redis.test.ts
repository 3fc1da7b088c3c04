import IORedis from 'ioredis';
import type { DeadLetterEntry } from '../../../src/alerts/dead-letter/dead-letter-entry';
import { DEAD_LETTER_CLAIM_PREFIX, RedisDeadLetterStore } from '../../../src/alerts/dead-letter/redis-dead-letter-store';
import { startRedis, type TestRedis } from '../../support/redis-server';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

const entry = (id: string): DeadLetterEntry => ({
  id,
  job: { sinkId: 's', alertId: id, dedupKey: 'k', ruleId: 'r', status: 'firing', body: '{}', contentType: 'application/json', queuedAt: 0 },
  attempts: 1,
  reason: 'http_500',
  failedAt: 0,
});

test('claims: two stores (two retry runs) never hold the same entry; remove() and release() end a claim', async () => {
  const one = new RedisDeadLetterStore(new IORedis(redis.url), true);
  const two = new RedisDeadLetterStore(new IORedis(redis.url), true);
  try {
    for (const id of ['a', 'b', 'c']) await one.add(entry(id));
    const [x, y] = await Promise.all([one.claim(['a', 'b', 'c', 'gone']), two.claim(['a', 'b', 'c', 'gone'])]);
    expect([...x, ...y].sort()).toEqual(['a', 'b', 'c']);
    const [holder, other] = x.includes('a') ? [one, two] : [two, one];
    await holder.remove(['a']);
    // Gone from the list: claimable by nobody, and its claim key is gone too.
    expect(await other.claim(['a'])).toEqual([]);
    const probe = new IORedis(redis.url);
    expect(await probe.exists(DEAD_LETTER_CLAIM_PREFIX + 'a')).toBe(0);
    await probe.quit();
    const held = [...x, ...y].filter((id) => id !== 'a');
    await one.release(held);
    await two.release(held);
    expect((await one.claim(['b', 'c'])).sort()).toEqual(['b', 'c']);
  } finally {
    await one.close();
    await two.close();
  }
});
