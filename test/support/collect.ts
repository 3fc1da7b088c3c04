/** Runs the real collector around a piece of traffic and returns what it delivered. */
import { Collector, type CollectorOptions, type CollectorStats } from '../../src/collector/collector';
import type { TcpEvent } from '../../src/interfaces/tcp-event';

export interface Collected {
  events: TcpEvent[];
  stats: CollectorStats;
}

/** Starts a collector, awaits `traffic`, lets the last records arrive, stops, and keeps events of `netns` (all when empty). */
export async function collectDuring(traffic: () => Promise<unknown>, netns: number[], options: CollectorOptions = {}): Promise<Collected> {
  const collector = new Collector(options);
  const events: TcpEvent[] = [];
  const keep = new Set(netns);
  collector.on('events', (batch) => {
    for (const e of batch) if (keep.size === 0 || keep.has(e.netns)) events.push(e);
  });
  collector.start();
  try {
    await traffic();
    await new Promise((r) => setTimeout(r, 200));
  } catch (err) {
    await collector.stop();
    throw err;
  }
  return { events, stats: await collector.stop() };
}
