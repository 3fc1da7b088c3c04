/**
 * Which partitions this worker owns right now. The engine evaluates a rule's group only where
 * `owns(partitionOf(groupKey))`, so N workers together evaluate every group exactly once.
 */
export interface PartitionOwnership {
  readonly partitions: number;
  /** The stable partition of a key (see partition-of.ts), for this deployment's partition count. */
  partitionOf(key: string): number;
  owns(partition: number): boolean;
  /** The owned partitions, ascending. */
  owned(): number[];
}
