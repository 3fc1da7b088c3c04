import type { EventBatch } from './event-batch';
import type { PartitionOwnership } from './partition-ownership';

/**
 * The engine's `ownsGroup(ruleId, groupKey)` while it applies one batch. An event travels once to
 * each partition of its group keys, so the copy in this batch may feed only the groups whose key
 * falls in this batch's partition: with a predicate fixed per worker instead, a worker owning two of
 * an event's partitions would count that event twice. The ownership check makes a handler that
 * outlived its lease (see docs/architecture.md) stop claiming groups.
 */
export function ownsGroupIn(batch: EventBatch, ownership: PartitionOwnership): (ruleId: string, groupKey: string) => boolean {
  // The rule id does not take part: keys are group values, so rules with the same group_by share a partition.
  return (_ruleId, groupKey) => ownership.partitionOf(groupKey) === batch.partition && ownership.owns(batch.partition);
}
