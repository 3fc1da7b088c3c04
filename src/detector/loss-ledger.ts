/**
 * Events lost upstream of the rules, by stage (`collector`: the kernel ring buffer, or events a
 * `source` yielded that fail the event check; `queue`: the producer's buffer, failed batches, or
 * events of a batch from Redis that fail the event check; `state`: the engine's group cap and late events), kept
 * in one-second buckets for as long as a window can last. Alerts take the loss of their window
 * from here, so a receiver knows when a count may be short; the event-loss alert reads it too.
 */
const BUCKET_MS = 1000;

export type LossStage = 'collector' | 'queue' | 'state';

export class LossLedger {
  private readonly buckets = new Map<number, Record<string, number>>();
  private readonly totals: Record<string, number> = {};

  constructor(private readonly keepMs: number) {}

  record(stage: LossStage, events: number, at: number): void {
    if (events <= 0) return;
    const slot = Math.floor(at / BUCKET_MS);
    const b = this.buckets.get(slot) ?? {};
    b[stage] = (b[stage] ?? 0) + events;
    this.buckets.set(slot, b);
    this.totals[stage] = (this.totals[stage] ?? 0) + events;
    const oldest = Math.floor((at - this.keepMs) / BUCKET_MS);
    for (const s of this.buckets.keys()) if (s < oldest) this.buckets.delete(s);
  }

  /** Loss recorded in [start, end), by stage, and its total. */
  between(start: number, end: number): { events: number; stages: Record<string, number> } {
    const stages: Record<string, number> = {};
    let events = 0;
    for (const [slot, b] of this.buckets) {
      const t = slot * BUCKET_MS;
      if (t < Math.floor(start / BUCKET_MS) * BUCKET_MS || t >= end) continue;
      for (const [stage, n] of Object.entries(b)) {
        stages[stage] = (stages[stage] ?? 0) + n;
        events += n;
      }
    }
    return { events, stages };
  }

  /** Everything lost since start, by stage. */
  total(): Record<string, number> {
    return { ...this.totals };
  }
}
