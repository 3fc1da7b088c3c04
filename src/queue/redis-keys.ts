/**
 * Every Redis key tcpwarden uses. The `{tcpwarden}` hash tag puts them all in one Redis Cluster
 * slot: BullMQ's scripts need each queue's keys in one slot, and one slot keeps the lease scripts
 * single-key-safe too. With batching the whole pipeline is a few hundred commands per second, well
 * within one node; see docs/architecture.md for when to give partitions their own tags.
 */
export const KEY_PREFIX = '{tcpwarden}';

/** BullMQ queue name of a partition (BullMQ prepends `{tcpwarden}:` and appends its own suffixes). */
export function partitionQueueName(partition: number): string {
  return `events-p${partition}`;
}

export function leaseKey(partition: number): string {
  return `${KEY_PREFIX}:lease:${partition}`;
}

/** Sorted set of live workers, scored by their last heartbeat (epoch ms). */
export const MEMBERS_KEY = `${KEY_PREFIX}:workers`;

/** The deployment's partition count, set by the first worker. */
export const PARTITIONS_KEY = `${KEY_PREFIX}:partitions`;

/** A partition's committed state (see PartitionCheckpoints). */
export function stateKey(partition: number): string {
  return `${KEY_PREFIX}:state:${partition}`;
}
