/**
 * The engine side of bench/queue.bench.ts in its own process, as `--role engine` would run: counts
 * events and queue lag per batch and reports to the parent over IPC when it has seen `argv[3]` events.
 * argv[2]: Redis URL.
 */
import { countingConsumer } from './counting-consumer';

async function main(url: string, expected: number): Promise<void> {
  const { consumer } = await countingConsumer(url, (b, received, lags) => {
    if (received >= expected && received - b.events.length < expected) process.send?.({ done: Date.now(), lags });
  });
  process.send?.({ ready: true });
  process.on('disconnect', () => void consumer.close().then(() => process.exit(0)));
}

main(process.argv[2], Number(process.argv[3])).catch((err: unknown) => {
  process.stderr.write(`queue-consumer-process: ${String(err)}\n`);
  process.exit(1);
});
