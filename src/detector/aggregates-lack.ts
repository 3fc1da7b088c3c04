import { AGGREGATE_KEEP_FIELDS, type AggregateKeepField } from '../collector/collector';
import type { EventProducer } from '../queue/producer';

/**
 * How long aggregates keyed on the fields before a change may still come: the kernel switches
 * at its next time slice (100 ms), and the reader drains a slice after it ends.
 */
const SETTLE_MS = 1000;

/**
 * Tells the engines, on each batch, which fields the collector's aggregates lack
 * (EventBatch.aggregatesLack). Right after the collector's fields change, the batches say what
 * either the old or the new fields lack, until the aggregates of the old ones are through.
 */
export class AggregatesLack {
  private lack: readonly AggregateKeepField[] = [];
  private settling?: NodeJS.Timeout;

  constructor(private readonly producer: EventProducer) {}

  /** The aggregates keep `keep` from now on. */
  keep(keep: readonly AggregateKeepField[]): void {
    clearTimeout(this.settling);
    const before = this.lack;
    const lack = (this.lack = AGGREGATE_KEEP_FIELDS.filter((f) => !keep.includes(f)));
    const either = AGGREGATE_KEEP_FIELDS.filter((f) => before.includes(f) || lack.includes(f));
    this.producer.setAggregatesLack(either);
    if (either.length === lack.length) return;
    this.settling = setTimeout(() => this.producer.setAggregatesLack(lack), SETTLE_MS);
    this.settling.unref();
  }

  close(): void {
    clearTimeout(this.settling);
  }
}
