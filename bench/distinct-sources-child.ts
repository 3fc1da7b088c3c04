/**
 * Child process of the rules-engine benchmark: the engine with the benchmark's rules takes
 * 1,000,000 distinct sources in one window (connection attempts refused on closed ports), and
 * reports its memory after a full garbage collection, and the peak RSS during the flood (the
 * collector's slack over what is held). Run with --expose-gc by the benchmark.
 */
import { Engine } from '../src/engine/engine';
import type { TcpEvent } from '../src/interfaces/tcp-event';
import { allRules, T0 } from './bench-rules';

const SOURCES = 1_000_000;
const BATCH = 10_000;
const MB = 2 ** 20;

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const engine = new Engine(await allRules());
  gc();
  const baselineRssMb = Math.round(process.memoryUsage().rss / MB);
  for (let i = 0; i < SOURCES; i += BATCH) {
    const batch: TcpEvent[] = [];
    for (let j = i; j < i + BATCH; j++) {
      const raddr = `10.${(j >>> 16) & 255}.${(j >>> 8) & 255}.${j & 255}`;
      batch.push({ kind: 'connect_refused', direction: 'inbound', ts: T0 + (j % 9_000), family: 4, laddr: '10.0.0.1', lport: 1 + (j % 1000), raddr, rport: 40000, netns: 1, host: 'bench' });
    }
    engine.push(batch);
  }
  // V8 hands the pages a collection freed back to the system lazily: read right after gc(), the RSS
  // swung between 165 and 340 MB from one run to the next of the same build (and 220-300 MB for the
  // tumbling-window engine before it), depending on how far the heap had grown since the last
  // collection. A pause and a second collection give the memory the engine holds, steadily.
  gc();
  await new Promise((resolve) => setTimeout(resolve, 500));
  gc();
  const usage = process.memoryUsage();
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const evicted = engine.stats().reduce((n, s) => n + s.evictedGroups, 0);
  await engine.advance(T0 + 10_000);
  process.send?.({ baselineRssMb, rssMb: Math.round(usage.rss / MB), peakRssMb, heapMb: Math.round(usage.heapUsed / MB), evicted });
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
