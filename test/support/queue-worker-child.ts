/**
 * A BullMQ consumer in its own process, for tests that `kill -9` it: it reports to the parent
 * (over the IPC channel) what it owns and each batch it receives, then never acknowledges a batch.
 * argv[2]: JSON BullmqConsumerOptions.
 */
import { BullmqConsumer } from '../../src/queue/bullmq-consumer';
import type { BullmqConsumerOptions } from '../../src/queue/bullmq-consumer-options';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2]) as BullmqConsumerOptions;
  const consumer = await BullmqConsumer.connect(options);
  await consumer.start(async (batch) => {
    process.send?.({ batch: batch.id, partition: batch.partition, events: batch.events.length });
    await new Promise(() => undefined);
  });
  setInterval(() => process.send?.({ owned: consumer.ownership.owned() }), 50);
}

main().catch((err: unknown) => {
  process.send?.({ error: String(err) });
  process.exit(1);
});
