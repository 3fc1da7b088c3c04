export interface EngineOptions {
  /**
   * Groups a rule tracks at once (default 10,000). Past it, the least recently used group (not a
   * firing one) is evicted and counted (`stats()`, and `loss` on alerts), so a flood of spoofed
   * sources costs bounded memory.
   */
  maxKeysPerRule?: number;
  /** Distinct values counted exactly per group and slice before switching to a HyperLogLog (default 256). */
  distinctExactLimit?: number;
  /**
   * Scale-out: when given, the engine tracks only the groups this returns true for. Called for
   * every matching event: an event travels to the partition of each rule's group, and the copy
   * in one partition's batch feeds only the groups of that partition (see PartitionedEngine).
   */
  ownsGroup?: (ruleId: string, groupKey: string) => boolean;
  /** Host name for alerts of groups whose events name none. */
  host?: string;
}

export const DEFAULT_MAX_KEYS_PER_RULE = 10_000;
export const DEFAULT_DISTINCT_EXACT_LIMIT = 256;
