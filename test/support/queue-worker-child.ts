/**
 * A BullMQ consumer in its own process, for tests that `kill -9` it: it reports to the parent
 * (over the IPC channel) what it owns and each batch it receives. Its state is the number of
 * events each partition received, saved at every commit; without `commitIntervalMs` it never
 * commits, so it acknowledges no batch. argv[2]: JSON BullmqConsumerOptions.
 */
import { BullmqConsumer } from '../../src/queue/bullmq-consumer';
import type { BullmqConsumerOptions } from '../../src/queue/bullmq-consumer-options';
import { countingState } from './counting-state';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2]) as BullmqConsumerOptions;
  const consumer = await BullmqConsumer.connect(options);
  const counts = countingState();
  await consumer.start((batch) => {
    counts.add(batch.partition, batch.events.length);
    process.send?.({ batch: batch.id, partition: batch.partition, events: batch.events.length });
  }, counts.state);
  setInterval(() => process.send?.({ owned: consumer.ownership.owned() }), 50);
}

main().catch((err: unknown) => {
  process.send?.({ error: String(err) });
  process.exit(1);
});
