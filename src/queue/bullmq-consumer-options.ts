import type { RedisTarget } from './redis-target';
import type { ConsumerOptions } from './transport-options';

/** Default lease and batch lock lifetime: how long a dead engine worker's partitions stay with it. */
export const DEFAULT_FAILOVER_MS = 10_000;

/** Options of an engine-side consumer on Redis. */
export interface BullmqConsumerOptions extends ConsumerOptions, RedisTarget {
  /** Must equal the producers' and every other worker's count (checked against Redis at start). Default 1. */
  partitions?: number;
  /** Partition lease lifetime; see PartitionLeases. Default DEFAULT_FAILOVER_MS. */
  leaseTtlMs?: number;
  /**
   * A batch whose worker stops renewing its lock (the process died) goes back to its queue after
   * about this long, and the partition's next owner judges it only once such batches are back.
   * It must exceed the longest event-loop stall of a live worker. Default DEFAULT_FAILOVER_MS.
   */
  lockDurationMs?: number;
  /** How often BullMQ looks for such batches. Default lockDurationMs / 4. */
  stalledIntervalMs?: number;
  /**
   * Commit on this interval by itself (for handlers whose state needs no ordering with anything
   * else). Without it the caller commits (the detector does, after each judgement). Default off.
   */
  commitIntervalMs?: number;
  /** Batches applied but not yet committed per partition before the worker stops taking more. Default 2,000. */
  maxUncommittedBatches?: number;
  /** Crashed deliveries of one batch before BullMQ moves it to the failed set. Default 3. */
  maxStalledCount?: number;
  /** Retention per partition queue: acknowledged and failed batches kept for inspection. Defaults 100 and 1,000. */
  keepCompleted?: number;
  keepFailed?: number;
  /** This worker's name in the lease keys and the worker set (default random): a host name and pid tell operators who owns what. */
  workerId?: string;
}
