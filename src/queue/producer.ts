import type { TcpEvent } from '../interfaces/tcp-event';
import type { ProducerMetrics } from './transport-metrics';

/** The collector's side of a transport. */
export interface EventProducer {
  /** Never blocks and never throws for a full buffer: what does not fit is dropped and counted. */
  publish(events: readonly TcpEvent[]): void;
  /** Seals the open batches and resolves when everything buffered has been handed to the queue. */
  flush(): Promise<void>;
  metrics(): ProducerMetrics;
  /** Events the collector lost before publishing (its ring buffer overflowed): they travel to the engines in a batch's `collectorLost`. */
  reportCollectorLoss(events: number): void;
  /** The event fields the in-kernel aggregates published from now on lack: batches carry them to the engines (EventBatch.aggregatesLack). */
  setAggregatesLack(fields: readonly string[]): void;
  /** The kinds the collector does not trace from now on: batches carry them to the engines (EventBatch.untraced). */
  setUntraced(kinds: readonly string[]): void;
  /** Flushes for at most `timeoutMs` (default 5,000); what is still unsent then is counted as dropped. */
  close(timeoutMs?: number): Promise<void>;
}
