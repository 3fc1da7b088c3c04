import type { BatchHandler } from './event-batch';
import type { PartitionOwnership } from './partition-ownership';
import type { ConsumerMetrics } from './transport-metrics';

/** The engine's side of a transport. */
export interface EventConsumer {
  readonly ownership: PartitionOwnership;
  /** Starts delivering the owned partitions' batches to `handler`, one batch at a time per partition. */
  start(handler: BatchHandler): Promise<void>;
  /** Batches waiting for delivery, over all partitions (owned or not). */
  backlog(): Promise<number>;
  metrics(): ConsumerMetrics;
  /** Stops taking batches and waits for those in the handler. */
  close(): Promise<void>;
}
