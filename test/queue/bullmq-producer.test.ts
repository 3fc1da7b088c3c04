import IORedis from 'ioredis';
import { BullmqConsumer } from '../../src/queue/bullmq-consumer';
import { BullmqProducer } from '../../src/queue/bullmq-producer';
import type { EventBatch } from '../../src/queue/event-batch';
import { startRedis, type TestRedis } from '../support/redis-server';
import { startReplyCuttingProxy } from '../support/reply-cutting-proxy';
import { tcpEvent, tcpEvents } from '../support/tcp-events';
import { Teardown } from '../support/teardown';
import { waitFor } from '../support/transport-contract';

// Every test here runs against a Redis with requirepass: the password travels in the URL.
let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis({ password: 's3cret:pw' });
});
afterAll(async () => {
  await redis.stop();
});
// Whatever a test opened is closed also when it fails: a client left reconnecting to a stopped
// server would knock on closed loopback ports for the rest of the run.
const teardown = new Teardown();
afterEach(() => teardown.run());

/** `closable`, closed at teardown (again after the test's own close: closing twice is harmless). */
function closedAtTeardown<T extends { close(): Promise<unknown> }>(closable: T): T {
  teardown.add(async () => void (await closable.close()));
  return closable;
}

const fast = { commitIntervalMs: 20, leaseTtlMs: 1500, lockDurationMs: 1500, stalledIntervalMs: 300 };

describe('BullmqProducer (needs redis-server)', () => {
  it('keeps publishing through a 10 s Redis outage, resumes, and counts the loss exactly', async () => {
    const got: EventBatch[] = [];
    const consumer = closedAtTeardown(await BullmqConsumer.connect({ url: redis.url, ...fast }));
    await consumer.start((b) => void got.push(b));
    const producer = closedAtTeardown(await BullmqProducer.connect({ url: redis.url, batchSize: 100, lingerMs: 10, capacity: 2000 }));

    // The collector: 100 events every 20 ms, whatever Redis does. It must never stall.
    let next = 0;
    let publishing = true;
    let longestGapMs = 0;
    let last = Date.now();
    const loop = setInterval(() => {
      longestGapMs = Math.max(longestGapMs, Date.now() - last);
      last = Date.now();
      if (!publishing) return;
      producer.publish(tcpEvents(next, 100));
      next += 100;
    }, 20);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const drained = () => consumer.metrics().ackedEvents === producer.metrics().sentEvents && producer.metrics().buffered === 0;

    await sleep(1000);
    // Let Redis empty first: it runs without persistence, so what it holds when killed is gone for reasons other than the producer.
    publishing = false;
    await producer.flush();
    await waitFor('the consumer to catch up', drained);
    await redis.stop();
    publishing = true;
    await sleep(10_000);
    expect(producer.metrics().dropped).toBeGreaterThan(0);
    expect(producer.metrics().buffered).toBe(2000);
    await redis.start();
    await sleep(1000);
    publishing = false;
    clearInterval(loop);
    await producer.flush();
    await waitFor('the consumer to catch up after the restart', drained, 30_000);

    const p = producer.metrics();
    const c = consumer.metrics();
    // Ticks are 20 ms apart. A collector that waited on Redis would stall for the outage (10 s);
    // half of that leaves a loaded 2-core machine room for GC and scheduling pauses.
    expect(longestGapMs).toBeLessThan(5000);
    expect(p.published).toBe(next);
    expect(p.sendErrors).toBeGreaterThan(0);
    expect(p.published).toBe(p.sentEvents + p.dropped);
    expect(c.ackedEvents).toBe(p.published - p.dropped);
    expect(c.upstreamLost).toBe(p.dropped);
    expect(got.reduce((n, b) => n + b.lost, 0)).toBe(p.dropped);
    // Each delivered event once: the loss is exactly the drops, nothing duplicated.
    expect(new Set(got.flatMap((b) => b.events.map((e) => e.ts))).size).toBe(c.ackedEvents);
    await producer.close();
    await consumer.close();
  });

  it('carries an in-kernel aggregate through Redis as one event with its value, not expanded', async () => {
    const got: EventBatch[] = [];
    const consumer = closedAtTeardown(await BullmqConsumer.connect({ url: redis.url, ...fast }));
    await consumer.start((b) => void got.push(b));
    const producer = closedAtTeardown(await BullmqProducer.connect({ url: redis.url }));
    // One event standing for 250,000 SYN-ACK retransmits, one SYN-cookie counter sample, one plain event.
    const events = [
      tcpEvent(0, { kind: 'synack_retransmit', value: 250_000 }),
      tcpEvent(1, { kind: 'syncookies_sent', laddr: '', raddr: '', lport: 0, rport: 0, value: 3 }),
      tcpEvent(2),
    ];
    producer.publish(events);
    await producer.flush();
    await waitFor('the batch acknowledged', () => consumer.metrics().ackedEvents === 3);
    expect(producer.metrics()).toMatchObject({ sentBatches: 1, sentEvents: 3 });
    expect(consumer.metrics()).toMatchObject({ ackedBatches: 1, ackedEvents: 3 });
    expect(got.map((b) => b.events)).toEqual([events]);
    expect(got[0].events.map((e) => e.value)).toEqual([250_000, 3, undefined]);
    await producer.close();
    await consumer.close();
  });

  it('bounds what Redis keeps: completed batches and the event stream', async () => {
    const consumer = closedAtTeardown(await BullmqConsumer.connect({ url: redis.url, ...fast, keepCompleted: 20 }));
    await consumer.start(() => undefined);
    const producer = closedAtTeardown(await BullmqProducer.connect({ url: redis.url, batchSize: 10, lingerMs: 1, eventsStreamMaxLen: 50 }));
    producer.publish(tcpEvents(0, 3000));
    await producer.flush();
    await waitFor('all acknowledged', () => consumer.metrics().ackedEvents === 3000);
    const r = new IORedis(redis.url);
    teardown.add(() => r.disconnect());
    // Trimming is approximate (whole stream nodes), so allow some slack over the bound, far under the ~1,000 entries written.
    expect(await r.xlen('{tcpwarden}:events-p0:events')).toBeLessThan(300);
    expect(await r.zcard('{tcpwarden}:events-p0:completed')).toBeLessThanOrEqual(20);
    r.disconnect();
    await producer.close();
    await consumer.close();
  });
});

describe('BullmqProducer shutdown (needs redis-server)', () => {
  it('closes within its timeout while Redis is down, counting what it could not send as dropped', async () => {
    const r = await startRedis();
    teardown.add(() => r.stop());
    const producer = closedAtTeardown(await BullmqProducer.connect({ url: r.url }));
    await r.stop();
    producer.publish(tcpEvents(0, 2500));
    const started = Date.now();
    await producer.close(500);
    // Without the timeout, close would wait on Redis for ever; the margin is for a loaded machine.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(producer.metrics()).toMatchObject({ published: 2500, sentEvents: 0, buffered: 0, dropped: 2500 });
  });
});

describe('BullMQ over rediss:// (needs redis-server built with TLS, and openssl)', () => {
  it('carries batches from producer to consumer over TLS with a password', async () => {
    const r = await startRedis({ tls: true, password: 'hunter2' });
    teardown.add(() => r.stop());
    const consumer = closedAtTeardown(await BullmqConsumer.connect({ url: r.url, tls: { ca: r.ca }, ...fast }));
    await consumer.start(() => undefined);
    const producer = closedAtTeardown(await BullmqProducer.connect({ url: r.url, tls: { ca: r.ca } }));
    producer.publish(tcpEvents(0, 1500));
    await producer.flush();
    await waitFor('all acknowledged', () => consumer.metrics().ackedEvents === 1500);
    await producer.close();
    await consumer.close();
    await r.stop();
  });
});

describe('BullmqProducer against a full Redis (needs redis-server)', () => {
  it('treats a Redis at maxmemory (noeviction) like an outage: buffers, drops and counts', async () => {
    const r = await startRedis({ args: ['--maxmemory', '3mb', '--maxmemory-policy', 'noeviction'] });
    teardown.add(() => r.stop());
    const producer = closedAtTeardown(await BullmqProducer.connect({ url: r.url, capacity: 20_000 }));
    // No consumer: batches pile up in Redis until it refuses writes.
    for (let i = 0; i < 100; i++) {
      producer.publish(tcpEvents(i * 1000, 1000));
      await new Promise((res) => setTimeout(res, 5));
    }
    const m = producer.metrics();
    expect(m.sendErrors).toBeGreaterThan(0);
    expect(m.dropped).toBeGreaterThan(0);
    expect(m.published).toBe(m.sentEvents + m.buffered + m.dropped);
    await producer.close(200);
    await r.stop();
  });
});

describe('BullmqProducer retrying an add whose reply was lost (needs redis-server)', () => {
  it('delivers every batch once: the retried add of a batch Redis already took is a no-op, even once consumed', async () => {
    const r = await startRedis();
    teardown.add(() => r.stop());
    const proxy = await startReplyCuttingProxy(r.port);
    teardown.add(() => proxy.close());
    const got: EventBatch[] = [];
    // keepCompleted 0: the first copy is gone from Redis as soon as it is consumed, before the retry comes.
    const consumer = closedAtTeardown(await BullmqConsumer.connect({ url: r.url, ...fast, keepCompleted: 0 }));
    await consumer.start((b) => void got.push(b));
    const producer = closedAtTeardown(await BullmqProducer.connect({ url: proxy.url, batchSize: 100, lingerMs: 5 }));
    producer.publish(tcpEvents(0, 300));
    await producer.flush();
    proxy.cutNextReply();
    producer.publish(tcpEvents(300, 300));
    await producer.flush();
    await waitFor('all acknowledged', () => consumer.metrics().ackedEvents >= 600);
    await new Promise((res) => setTimeout(res, 300));

    expect(proxy.cuts).toBe(1);
    expect(producer.metrics()).toMatchObject({ published: 600, sentEvents: 600, dropped: 0 });
    expect(producer.metrics().sendErrors).toBeGreaterThan(0);
    expect(consumer.metrics().ackedEvents).toBe(600);
    expect(got.flatMap((b) => b.events)).toEqual(tcpEvents(0, 600));
    await producer.close();
    await consumer.close();
    await proxy.close();
    await r.stop();
  });
});
