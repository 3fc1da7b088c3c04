import IORedis from 'ioredis';
import { PartitionLeases } from '../../src/queue/partition-leases';
import { connectRedis } from '../../src/queue/redis-connection';
import { startRedis, type TestRedis } from '../support/redis-server';
import { waitFor } from '../support/transport-contract';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

describe('PartitionLeases (needs redis-server)', () => {
  const clients: IORedis[] = [];
  const started: PartitionLeases[] = [];
  afterEach(async () => {
    // A failed test must not leave a lease timer running (Jest would never exit): stop them all,
    // each given a bounded time since Redis may be the thing that is down.
    for (const l of started.splice(0)) await Promise.race([l.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 3000).unref())]);
    for (const c of clients.splice(0)) c.disconnect();
  });

  async function leases(events: string[], name: string): Promise<PartitionLeases> {
    const c = await connectRedis({ url: redis.url }, 'failFast');
    clients.push(c);
    const l = new PartitionLeases(c, {
      partitions: 4,
      ttlMs: 600,
      workerId: name,
      onAcquire: async (p) => void events.push(`${name}+${p}`),
      onRelease: async (p, lost) => void events.push(`${name}-${p}${lost ? ' lost' : ''}`),
    });
    await l.start();
    started.push(l);
    return l;
  }

  it('spreads partitions over live workers, each owned by one, and hands them over on stop', async () => {
    const events: string[] = [];
    const a = await leases(events, 'a');
    expect(a.owned()).toEqual([0, 1, 2, 3]);
    const b = await leases(events, 'b');
    await waitFor('an even split', () => a.owned().length === 2 && b.owned().length === 2);
    expect([...a.owned(), ...b.owned()].sort()).toEqual([0, 1, 2, 3]);
    // a gave back what b took, gracefully, before b started on it.
    for (const p of b.owned()) expect(events.indexOf(`a-${p}`)).toBeLessThan(events.indexOf(`b+${p}`));
    await a.stop();
    await waitFor('b to take everything', () => b.owned().length === 4);
    await b.stop();
  });

  it('stops owning by its own clock when Redis is gone, and owns again when it is back', async () => {
    const events: string[] = [];
    const a = await leases(events, 'a');
    await redis.stop();
    await waitFor('the leases to lapse locally', () => a.owned().length === 0, 3000);
    // The 'lost' notices come on the lease tick after the leases lapsed: wait for them, not the clock.
    await waitFor('the lost notices', () => events.filter((e) => e.endsWith('lost')).length >= 4, 5000);
    expect(events.filter((e) => e.endsWith('lost')).sort()).toEqual(['a-0 lost', 'a-1 lost', 'a-2 lost', 'a-3 lost']);
    await redis.start();
    await waitFor('the partitions to be owned again', () => a.owned().length === 4, 10_000);
    await a.stop();
  });
});
