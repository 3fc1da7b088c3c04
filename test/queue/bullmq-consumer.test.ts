import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { BullmqConsumer } from '../../src/queue/bullmq-consumer';
import type { BullmqConsumerOptions } from '../../src/queue/bullmq-consumer-options';
import { BullmqProducer } from '../../src/queue/bullmq-producer';
import { KEY_PREFIX, partitionQueueName } from '../../src/queue/redis-keys';
import type { BatchHandler, EventBatch } from '../../src/queue/event-batch';
import type { PartitionState } from '../../src/queue/partition-state';
import { forkWorker, type ChildWorker } from '../support/child-worker';
import { countingState } from '../support/counting-state';
import { startRedis, type TestRedis } from '../support/redis-server';
import { tcpEvents } from '../support/tcp-events';
import { describeTransportContract, waitFor } from '../support/transport-contract';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

async function flushRedis(url: string): Promise<void> {
  const c = new IORedis(url);
  await c.flushall();
  c.disconnect();
}

describeTransportContract('BullMQ on Redis', async (producerOptions, consumerOptions) => {
  await flushRedis(redis.url);
  const partitions = producerOptions.partitions;
  const consumer = await BullmqConsumer.connect({ url: redis.url, partitions, leaseTtlMs: 2000, commitIntervalMs: 20, ...consumerOptions });
  const producer = await BullmqProducer.connect({ url: redis.url, ...producerOptions });
  return {
    producer,
    consumer,
    close: async () => {
      await producer.close();
      await consumer.close();
    },
  };
});

describe('BullmqConsumer', () => {
  const fast = { leaseTtlMs: 1500, lockDurationMs: 1500, stalledIntervalMs: 300, commitIntervalMs: 20 };
  let consumers: BullmqConsumer[] = [];
  let producer: BullmqProducer | undefined;
  let child: ChildWorker | undefined;
  beforeEach(() => flushRedis(redis.url));
  afterEach(async () => {
    await child?.kill9();
    child = undefined;
    await producer?.close();
    producer = undefined;
    await Promise.all(consumers.map((c) => c.close()));
    consumers = [];
  });

  async function consumer(options: Partial<BullmqConsumerOptions>, handler: BatchHandler, state?: PartitionState): Promise<BullmqConsumer> {
    const c = await BullmqConsumer.connect({ url: redis.url, ...fast, ...options });
    consumers.push(c);
    await c.start(handler, state);
    return c;
  }

  it('hands the batches of a worker killed with -9 mid-batch to the partition\'s next owner: nothing lost', async () => {
    const keysOf = (e: TcpEvent) => [e.raddr];
    // The child never commits, so it acknowledges nothing it takes.
    child = forkWorker({ url: redis.url, partitions: 2, ...fast, commitIntervalMs: undefined });
    await waitFor('the child to own both partitions', () => child!.owned.length === 2);
    producer = await BullmqProducer.connect({ url: redis.url, partitions: 2, keysOf, batchSize: 50, lingerMs: 5 });
    const events = tcpEvents(0, 400);
    producer.publish(events);
    await producer.flush();
    await waitFor('the child to hold a batch', () => child!.reports.some((r) => r.batch));
    const held = child.reports.filter((r) => r.batch).map((r) => r.batch);
    await child.kill9();

    const got: EventBatch[] = [];
    const survivor = await consumer({ partitions: 2 }, (b) => void got.push(b));
    await waitFor('every event acknowledged', () => survivor.metrics().ackedEvents === events.length);
    expect(survivor.ownership.owned()).toEqual([0, 1]);
    expect(sortByTs(got.flatMap((b) => b.events))).toEqual(events);
    for (const id of held) expect(got.find((b) => b.id === id)?.attempt).toBeGreaterThanOrEqual(2);
    expect(survivor.metrics().repeatedAttempts).toBeGreaterThanOrEqual(held.length);
  });

  it("hands a killed worker's partitions on with their committed state: every event counted exactly once", async () => {
    const keysOf = (e: TcpEvent) => [e.raddr];
    child = forkWorker({ url: redis.url, partitions: 2, ...fast });
    await waitFor('the child to own both partitions', () => child!.owned.length === 2);
    producer = await BullmqProducer.connect({ url: redis.url, partitions: 2, keysOf, batchSize: 50, lingerMs: 5 });
    const events = tcpEvents(0, 6000);
    const counting = countingState();
    let survivor: BullmqConsumer | undefined;
    // A steady stream; the child dies with -9 halfway, with batches applied and not yet committed.
    for (let i = 0; i < 60; i++) {
      producer.publish(events.slice(i * 100, (i + 1) * 100));
      await new Promise((r) => setTimeout(r, 10));
      if (i === 30) {
        await child.kill9();
        survivor = await consumer({ partitions: 2 }, (b) => counting.add(b.partition, b.events.length), counting.state);
      }
    }
    await producer.flush();
    const total = () => [...counting.counts.values()].reduce((a, b) => a + b, 0);
    await waitFor('both partitions taken over and judged complete', () => survivor!.ready(0) && survivor!.ready(1));
    await waitFor('every event counted', () => total() >= events.length);
    await new Promise((r) => setTimeout(r, 500));
    expect(total()).toBe(events.length);
    // The survivor did start from the child's commits, not from zero.
    expect([...counting.resumedFrom.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(child.reports.filter((r) => r.batch).length).toBeGreaterThan(0);
  });

  it("keeps a taken-over partition waiting until the dead owner's uncommitted batches are back", async () => {
    // The child's batch locks outlive its leases: the survivor owns the partitions while they are still locked.
    const slowLocks = { ...fast, leaseTtlMs: 1000, lockDurationMs: 4000, stalledIntervalMs: 500 };
    child = forkWorker({ url: redis.url, partitions: 2, ...slowLocks, commitIntervalMs: undefined });
    await waitFor('the child to own both partitions', () => child!.owned.length === 2);
    producer = await BullmqProducer.connect({ url: redis.url, partitions: 2, keysOf: (e: TcpEvent) => [e.raddr], batchSize: 50, lingerMs: 5 });
    const events = tcpEvents(0, 1000);
    producer.publish(events);
    await producer.flush();
    await waitFor('the child to hold every batch', () => child!.reports.reduce((n, r) => n + (r.events ?? 0), 0) === events.length);
    await child.kill9();

    const counting = countingState();
    const survivor = await consumer({ partitions: 2, ...slowLocks }, (b) => counting.add(b.partition, b.events.length), counting.state);
    await waitFor('the survivor to own both partitions', () => survivor.ownership.owned().length === 2);
    const total = () => [...counting.counts.values()].reduce((a, b) => a + b, 0);
    // Owned, but not to be judged: the batches are still locked by the dead child.
    expect([survivor.ready(0), survivor.ready(1)]).toEqual([false, false]);
    expect(total()).toBe(0);
    await waitFor('both partitions judged complete', () => survivor.ready(0) && survivor.ready(1));
    // By the time a partition may be judged, every event is in its state.
    expect(total()).toBe(events.length);
  });

  it('sets an unreadable batch aside in the failed set and goes on with the partition', async () => {
    const got: EventBatch[] = [];
    const c = await consumer({}, (b) => void got.push(b));
    const connection = new IORedis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(partitionQueueName(0), { connection, prefix: KEY_PREFIX });
    await queue.add('batch', 'not a batch', { jobId: 'garbage-1' });
    producer = await BullmqProducer.connect({ url: redis.url, batchSize: 50, lingerMs: 5 });
    producer.publish(tcpEvents(0, 200));
    await producer.flush();
    await waitFor('the good batches acknowledged', () => c.metrics().ackedEvents === 200);
    expect(await queue.getJobState('garbage-1')).toBe('failed');
    expect((await queue.getJob('garbage-1'))?.failedReason).toMatch(/unreadable batch in partition 0/);
    await queue.close();
    connection.disconnect();
  });

  it('gives 1 and 3 workers the same events per partition key, each exactly once', async () => {
    const keysOf = (e: TcpEvent) => [e.raddr];
    const events = tcpEvents(0, 3000);
    const byKey = (batches: EventBatch[]) => {
      const m = new Map<string, number[]>();
      for (const e of batches.flatMap((b) => b.events)) m.set(e.raddr, [...(m.get(e.raddr) ?? []), e.ts]);
      return new Map([...m].map(([k, v]) => [k, v.sort((a, b) => a - b)]));
    };
    const run = async (workers: number): Promise<EventBatch[][]> => {
      await flushRedis(redis.url);
      const got: EventBatch[][] = Array.from({ length: workers }, () => []);
      const cs: BullmqConsumer[] = [];
      for (let i = 0; i < workers; i++) cs.push(await consumer({ partitions: 6 }, (b) => void got[i].push(b)));
      await waitFor(`${workers} workers to share the partitions`, () => cs.every((c) => c.ownership.owned().length === 6 / workers));
      const p = await BullmqProducer.connect({ url: redis.url, partitions: 6, keysOf, batchSize: 200, lingerMs: 5 });
      p.publish(events);
      await p.close();
      await waitFor('every event acknowledged', () => cs.reduce((n, c) => n + c.metrics().ackedEvents, 0) >= events.length);
      await Promise.all(cs.map((c) => c.close()));
      consumers = [];
      return got;
    };
    const one = await run(1);
    const three = await run(3);
    expect(three.every((g) => g.length > 0)).toBe(true);
    expect(byKey(three.flat())).toEqual(byKey(one.flat()));
    expect(three.flat().reduce((n, b) => n + b.events.length, 0)).toBe(events.length);
    // A key's events all reached one worker.
    const owners = new Map<string, Set<number>>();
    three.forEach((g, w) => g.flatMap((b) => b.events).forEach((e) => owners.set(e.raddr, (owners.get(e.raddr) ?? new Set()).add(w))));
    expect([...owners.values()].every((s) => s.size === 1)).toBe(true);
  });

  it('refuses a worker whose partition count differs from the deployment\'s', async () => {
    await consumer({ partitions: 4 }, () => undefined);
    const other = await BullmqConsumer.connect({ url: redis.url, partitions: 8 });
    consumers.push(other);
    await expect(other.start(() => undefined)).rejects.toMatchObject({ code: 'PARTITION_COUNT_MISMATCH' });
  });
});

function sortByTs(events: TcpEvent[]): TcpEvent[] {
  return [...events].sort((a, b) => a.ts - b.ts);
}
