import type { BatchHandler, EventBatch } from './event-batch';
import type { ConsumerMetrics } from './transport-metrics';
import type { ConsumerOptions } from './transport-options';

/**
 * The consumer side every transport shares: runs the handler on a batch, retrying in place with
 * doubling delays when it throws, and keeps the consumer's counters. Retrying here rather than
 * re-queueing keeps a partition's batches in order, the same way on every transport.
 */
export class BatchApplier {
  private readonly attempts: number;
  private readonly retryDelayMs: number;
  private readonly m: ConsumerMetrics = {
    ackedBatches: 0,
    ackedEvents: 0,
    repeatedAttempts: 0,
    failedBatches: 0,
    failedEvents: 0,
    upstreamLost: 0,
    lagMs: 0,
    maxLagMs: 0,
  };

  constructor(options: ConsumerOptions = {}) {
    this.attempts = options.attempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 100;
  }

  /**
   * Applies a batch: resolves true once the handler took it, false when it was given up after
   * `attempts` failures. `applied` runs in the same synchronous step as the successful handler
   * call, so the transport can record what the handler's state holds with nothing in between.
   * `firstAttempt` is this attempt's number: above 1 when a worker that crashed had the batch before.
   */
  async apply(handler: BatchHandler, batch: Omit<EventBatch, 'attempt'>, firstAttempt = 1, applied: () => void = () => undefined): Promise<boolean> {
    this.m.lagMs = Date.now() - batch.createdAt;
    this.m.maxLagMs = Math.max(this.m.maxLagMs, this.m.lagMs);
    // Per taking, not once per batch: a batch taken again after a crash lands in a process whose counters never saw it.
    this.m.upstreamLost += batch.lost;
    let delay = this.retryDelayMs;
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      const n = firstAttempt + attempt;
      if (n > 1) this.m.repeatedAttempts++;
      try {
        handler({ ...batch, attempt: n });
        applied();
        return true;
      } catch {
        if (attempt + 1 < this.attempts) await new Promise((r) => setTimeout(r, delay));
        delay *= 2;
      }
    }
    this.failed(batch.events.length);
    return false;
  }

  /** Counts batches the transport acknowledged to its queue. */
  acknowledged(batches: number, events: number): void {
    this.m.ackedBatches += batches;
    this.m.ackedEvents += events;
  }

  /** Counts a batch lost without reaching the handler (a queue gave it up). */
  failed(events: number): void {
    this.m.failedBatches++;
    this.m.failedEvents += events;
  }

  metrics(): ConsumerMetrics {
    return { ...this.m };
  }
}
