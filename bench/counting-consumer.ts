import { BullmqConsumer } from '../src/queue/bullmq-consumer';
import type { EventBatch } from '../src/queue/event-batch';

export interface CountingConsumer {
  consumer: BullmqConsumer;
  /** Queue lag of every batch received, in ms. */
  lags: number[];
  received(): number;
}

/**
 * An engine-side consumer for the queue benchmarks: counts events and records each batch's queue
 * lag. It commits every second, as the detector does after each judgement.
 */
export async function countingConsumer(url: string, onBatch?: (batch: EventBatch, received: number, lags: number[]) => void): Promise<CountingConsumer> {
  const consumer = await BullmqConsumer.connect({ url, commitIntervalMs: 1000 });
  const lags: number[] = [];
  let received = 0;
  await consumer.start((b) => {
    lags.push(Date.now() - b.createdAt);
    received += b.events.length;
    onBatch?.(b, received, lags);
  });
  return { consumer, lags, received: () => received };
}
