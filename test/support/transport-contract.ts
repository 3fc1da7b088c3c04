/**
 * The behaviour every transport must share, run by each transport's test file against its own
 * implementation: the engine cannot tell which one it is on.
 */
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import type { EventConsumer } from '../../src/queue/consumer';
import type { EventBatch } from '../../src/queue/event-batch';
import type { EventProducer } from '../../src/queue/producer';
import type { ConsumerOptions, ProducerOptions } from '../../src/queue/transport-options';
import { tcpEvents } from './tcp-events';

export interface TransportPair {
  producer: EventProducer;
  consumer: EventConsumer;
  close(): Promise<unknown>;
}

export type MakeTransport = (producer: ProducerOptions, consumer: ConsumerOptions) => Promise<TransportPair>;

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function describeTransportContract(name: string, make: MakeTransport): void {
  describe(`${name}: transport contract`, () => {
    let t: TransportPair | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    it('delivers every event once, in publish order, in bounded batches, and acknowledges them', async () => {
      const batches: EventBatch[] = [];
      t = await make({ batchSize: 100, lingerMs: 10 }, {});
      await t.consumer.start((b) => void batches.push(b));
      const events = tcpEvents(0, 1050);
      t.producer.publish(events.slice(0, 500));
      t.producer.publish(events.slice(500));
      await t.producer.flush();
      await waitFor('all events acknowledged', () => t!.consumer.metrics().ackedEvents === 1050);
      expect(batches.flatMap((b) => b.events)).toEqual(events);
      expect(Math.max(...batches.map((b) => b.events.length))).toBe(100);
      expect(batches.every((b) => b.attempt === 1 && b.partition === 0)).toBe(true);
      expect(t.producer.metrics()).toMatchObject({ published: 1050, sentEvents: 1050, buffered: 0, dropped: 0 });
      expect(t.consumer.metrics()).toMatchObject({ ackedBatches: batches.length, repeatedAttempts: 0, failedBatches: 0 });
      expect(t.consumer.metrics().maxLagMs).toBeGreaterThanOrEqual(0);
      expect(await t.consumer.backlog()).toBe(0);
    });

    it("carries the collector's own loss to the engine, with events or alone", async () => {
      const batches: EventBatch[] = [];
      t = await make({ batchSize: 100, lingerMs: 10 }, {});
      await t.consumer.start((b) => void batches.push(b));
      t.producer.reportCollectorLoss(7);
      t.producer.publish(tcpEvents(0, 10));
      t.producer.reportCollectorLoss(5);
      await t.producer.flush();
      await waitFor('the loss delivered', () => batches.reduce((n, b) => n + b.collectorLost, 0) === 12);
      expect(batches.flatMap((b) => b.events)).toHaveLength(10);
    });

    it('delivers a batch again when the handler throws, losing nothing and keeping order', async () => {
      const seen: TcpEvent[] = [];
      let failures = 0;
      t = await make({ batchSize: 10, lingerMs: 5 }, { retryDelayMs: 10 });
      await t.consumer.start((b) => {
        if (b.events[0].ts === tcpEvents(20, 1)[0].ts && b.attempt < 3) {
          failures++;
          throw new Error('handler crashed mid-batch');
        }
        seen.push(...b.events);
      });
      t.producer.publish(tcpEvents(0, 50));
      await waitFor('all events acknowledged', () => t!.consumer.metrics().ackedEvents === 50);
      expect(failures).toBe(2);
      expect(seen).toEqual(tcpEvents(0, 50));
      expect(t.consumer.metrics()).toMatchObject({ repeatedAttempts: 2, failedBatches: 0 });
    });

    it('sends each event to the partitions of its keys, and only there', async () => {
      const batches: EventBatch[] = [];
      const keysOf = (e: TcpEvent) => [e.raddr, e.host];
      t = await make({ partitions: 4, keysOf, batchSize: 50, lingerMs: 5 }, {});
      await t.consumer.start((b) => void batches.push(b));
      expect(t.consumer.ownership.owned()).toEqual([0, 1, 2, 3]);
      const events = tcpEvents(0, 600);
      t.producer.publish(events);
      await t.producer.flush();
      const copies = events.reduce((n, e) => n + new Set(keysOf(e).map((k) => t!.consumer.ownership.partitionOf(k))).size, 0);
      await waitFor('all copies acknowledged', () => t!.consumer.metrics().ackedEvents === copies);
      for (const b of batches) {
        for (const e of b.events) expect(keysOf(e).map((k) => t!.consumer.ownership.partitionOf(k))).toContain(b.partition);
      }
    });
  });
}
