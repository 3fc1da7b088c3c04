/**
 * Numbers a metrics layer reads (counters only grow; rates are their differences over time).
 * Counts are per partition copy: an event routed to k partitions counts k times (once with one
 * partition). Invariant, exact at every read: published = sentEvents + buffered + dropped.
 */
export interface ProducerMetrics {
  /** Events passed to publish(), dropped or not. */
  published: number;
  /** Events refused because the local buffer was full or the producer closed, or still unsent at close. */
  dropped: number;
  /** Events waiting in the local buffer: open batches plus sealed batches not yet accepted by the queue. */
  buffered: number;
  sentEvents: number;
  sentBatches: number;
  /** Failed attempts to hand batches to the queue (Redis down); each is retried with backoff. */
  sendErrors: number;
}

export interface ConsumerMetrics {
  /** Batches and events acknowledged to the queue: applied by the handler, and committed. */
  ackedBatches: number;
  ackedEvents: number;
  /** Handler attempts at a batch after its first (handler failure, crashed worker). */
  repeatedAttempts: number;
  /** Batches given up after the handler failed on every attempt; their events are lost. */
  failedBatches: number;
  failedEvents: number;
  /** Sum of the producers' `lost` figures over the batches this process took. */
  upstreamLost: number;
  /** Queue lag (the time the handler got it minus its creation time) of the last batch taken, and the largest seen. */
  lagMs: number;
  maxLagMs: number;
}
