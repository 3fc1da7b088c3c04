import type { BatchHandler } from './event-batch';
import type { PartitionOwnership } from './partition-ownership';
import type { PartitionState } from './partition-state';
import type { ConsumerMetrics } from './transport-metrics';

/** The engine's side of a transport. */
export interface EventConsumer {
  readonly ownership: PartitionOwnership;
  /**
   * Starts delivering the owned partitions' batches to `handler`, one batch at a time per
   * partition. `state` (when the handler keeps any) is told which partitions arrive and leave.
   */
  start(handler: BatchHandler, state?: PartitionState): Promise<void>;
  /**
   * Saves each owned partition's state and acknowledges the batches it covers. A caller that
   * judges windows commits after its alerts were handed on, so a commit never records a judged
   * window whose alerts could still be lost.
   */
  commit(): Promise<void>;
  /**
   * Whether `partition`'s state is complete up to now: false while batches its previous owner took
   * (and never committed) are still finding their way back. Judge a partition only when it is ready.
   */
  ready(partition: number): boolean;
  /** Batches waiting for the handler, over all partitions (owned or not). */
  backlog(): Promise<number>;
  metrics(): ConsumerMetrics;
  /**
   * Stops taking batches, commits what was applied, and gives the partitions back, for at most
   * `timeoutMs` (default 10,000): past it (Redis away or slow) the partitions are left as a dead
   * worker leaves them, to their next owner. Resolves with the batches applied here and never
   * committed (0 after a clean close): that owner judges them again.
   */
  close(timeoutMs?: number): Promise<number>;
}
