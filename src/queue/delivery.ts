import type { BatchHandler, EventBatch } from './event-batch';
import type { ConsumerMetrics } from './transport-metrics';
import type { ConsumerOptions } from './transport-options';

/**
 * The consumer side every transport shares: runs the handler on a batch, retrying in place with
 * doubling delays when it rejects, and keeps the consumer's counters. Retrying here rather than
 * re-queueing keeps a partition's batches in order, the same way on every transport.
 */
export class Delivery {
  private readonly attempts: number;
  private readonly retryDelayMs: number;
  private readonly m: ConsumerMetrics = {
    ackedBatches: 0,
    ackedEvents: 0,
    redeliveries: 0,
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
   * Resolves true when the handler acknowledged the batch, false when it was given up after
   * `attempts` failures. `delivery` is this delivery's number: above 1 when a worker that crashed had the batch before.
   */
  async deliver(handler: BatchHandler, batch: Omit<EventBatch, 'delivery'>, delivery = 1): Promise<boolean> {
    this.m.lagMs = Date.now() - batch.createdAt;
    this.m.maxLagMs = Math.max(this.m.maxLagMs, this.m.lagMs);
    // Per delivery, not per first delivery: a batch redelivered after a crash lands in a process whose counters never saw it.
    this.m.upstreamLost += batch.lost;
    let delay = this.retryDelayMs;
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      const n = delivery + attempt;
      if (n > 1) this.m.redeliveries++;
      try {
        await handler({ ...batch, delivery: n });
        this.m.ackedBatches++;
        this.m.ackedEvents += batch.events.length;
        return true;
      } catch {
        if (attempt + 1 < this.attempts) await new Promise((r) => setTimeout(r, delay));
        delay *= 2;
      }
    }
    this.m.failedBatches++;
    this.m.failedEvents += batch.events.length;
    return false;
  }

  metrics(): ConsumerMetrics {
    return { ...this.m };
  }
}
