/** One rule's state size and losses, as `Engine.stats()` reports them (cumulative since the rule was loaded). */
export interface RuleStats {
  ruleId: string;
  openWindows: number;
  /** Groups with events in the open windows. */
  windowGroups: number;
  /** Groups with state across windows (baseline history, firing alerts). */
  trackedGroups: number;
  firing: number;
  /** Groups dropped from a window or from tracking because of `maxKeysPerRule`, and the events they held. */
  evictedGroups: number;
  evictedEvents: number;
  /** Events for windows already closed (event time behind `advance`). */
  lateEvents: number;
  /** json-rules-engine runs: one per group per closed window, never one per event. */
  evaluations: number;
  /**
   * Pushed batches this rule failed on (a bug, not bad input: the loader refuses rules that could).
   * The batch still counts for the other rules, once; this rule may have counted part of it.
   */
  failedBatches: number;
}
