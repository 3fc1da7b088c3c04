import { isAggregate } from '../events/is-aggregate';
import type { EventKind, TcpEvent } from '../interfaces/tcp-event';

/**
 * Events that reached the rules inside in-kernel aggregates (one event with `value` = the packets
 * it stands for), by kind, in one-second buckets of event time for as long as a window can last.
 * Alerts take the figure of their window from here (docs/alerts.md, `aggregated`): the counts are
 * exact, but an aggregate carries its first packet's time for up to 100 ms of packets.
 */
const BUCKET_MS = 1000;

export class AggregateLedger {
  private readonly buckets = new Map<number, Map<EventKind, number>>();

  constructor(private readonly keepMs: number) {}

  /** Counts the aggregates of a batch. */
  record(events: readonly TcpEvent[]): void {
    let newest = -Infinity;
    for (const e of events) {
      if (!isAggregate(e)) continue;
      const slot = Math.floor(e.ts / BUCKET_MS);
      let b = this.buckets.get(slot);
      if (!b) this.buckets.set(slot, (b = new Map()));
      b.set(e.kind, (b.get(e.kind) ?? 0) + e.value!);
      if (e.ts > newest) newest = e.ts;
    }
    if (newest === -Infinity) return;
    const oldest = Math.floor((newest - this.keepMs) / BUCKET_MS);
    for (const s of this.buckets.keys()) if (s < oldest) this.buckets.delete(s);
  }

  /** Aggregated events of `kinds` (every kind when undefined) in [start, end). */
  between(start: number, end: number, kinds: readonly EventKind[] | undefined): number {
    let n = 0;
    for (const [slot, b] of this.buckets) {
      const t = slot * BUCKET_MS;
      if (t < Math.floor(start / BUCKET_MS) * BUCKET_MS || t >= end) continue;
      for (const [kind, count] of b) if (!kinds || kinds.includes(kind)) n += count;
    }
    return n;
  }
}
