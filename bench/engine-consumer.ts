import { enginePartitionState } from '../src/engine/engine-partition-state';
import { PartitionedEngine } from '../src/engine/partitioned-engine';
import { BullmqConsumer } from '../src/queue/bullmq-consumer';
import type { EventBatch } from '../src/queue/event-batch';
import { allRules } from './bench-rules';
import type { CountingConsumer } from './counting-consumer';

/**
 * An engine worker for the queue benchmarks: the rules engine (27 rules) behind the consumer,
 * its partition state committed every second, as `--role engine` runs. Counts like countingConsumer.
 */
export async function engineConsumer(url: string, onBatch?: (batch: EventBatch, received: number, lags: number[]) => void): Promise<CountingConsumer> {
  const engine = new PartitionedEngine(await allRules(), 1);
  const consumer = await BullmqConsumer.connect({ url, commitIntervalMs: 1000 });
  const lags: number[] = [];
  let received = 0;
  await consumer.start(
    (b) => {
      engine.push(b.partition, b.events);
      lags.push(Date.now() - b.createdAt);
      received += b.events.length;
      onBatch?.(b, received, lags);
    },
    enginePartitionState(engine),
  );
  return { consumer, lags, received: () => received };
}
