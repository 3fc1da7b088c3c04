/**
 * The engine side of bench/queue.bench.ts in its own process, as `--role engine` would run: counts
 * events and queue lag per batch and reports to the parent over IPC when it has seen `argv[3]` events.
 * argv[2]: Redis URL; argv[4]: `engine` to put the rules engine behind the consumer, else it only counts.
 */
import { countingConsumer } from './counting-consumer';
import { engineConsumer } from './engine-consumer';

async function main(url: string, expected: number, kind: string | undefined): Promise<void> {
  const start = kind === 'engine' ? engineConsumer : countingConsumer;
  const { consumer } = await start(url, (b, received, lags) => {
    if (received >= expected && received - b.events.length < expected) process.send?.({ done: Date.now(), lags });
  });
  process.send?.({ ready: true });
  process.on('disconnect', () => void consumer.close().then(() => process.exit(0)));
}

main(process.argv[2], Number(process.argv[3]), process.argv[4]).catch((err: unknown) => {
  process.stderr.write(`queue-consumer-process: ${String(err)}\n`);
  process.exit(1);
});
