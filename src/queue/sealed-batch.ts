import type { TcpEvent } from '../interfaces/tcp-event';

/** A batch as a producer hands it to the queue (before any consumer takes it). */
export interface SealedBatch {
  id: string;
  partition: number;
  createdAt: number;
  lost: number;
  /** Events the collector lost before the producer (its kernel ring buffer) since the previous batch that carried such loss. */
  collectorLost: number;
  /** The event fields the batch's in-kernel aggregates do not carry (see EventBatch.aggregatesLack). */
  aggregatesLack: readonly string[];
  /** The kinds the collector does not trace (see EventBatch.untraced). */
  untraced: readonly string[];
  events: TcpEvent[];
}

/** Hands sealed batches to the queue; resolves once the queue holds them (or, in memory, once they are acknowledged). */
export type BatchSink = (batches: SealedBatch[]) => Promise<void>;
