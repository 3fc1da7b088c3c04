/** One rule's state size and losses, as `Engine.stats()` reports them (cumulative since the rule was loaded). */
export interface RuleStats {
  ruleId: string;
  /** Slices of the longest ring of any group (at most the window's slices, more while later events wait for their judgement). */
  openSlices: number;
  /** Groups with events in their sliding window. */
  windowGroups: number;
  /** Groups tracked: with events in their window, a baseline history or a firing alert. */
  trackedGroups: number;
  firing: number;
  /** Groups dropped because of `maxKeysPerRule`, and the events their windows held. */
  evictedGroups: number;
  evictedEvents: number;
  /** Events older than every window still to be judged (event time behind `advance` by more than a window). */
  lateEvents: number;
  /** json-rules-engine runs: at most one per changed group per slice boundary (verdicts for facts seen before are remembered), never one per event. */
  evaluations: number;
  /**
   * Pushed batches this rule failed on (a bug, not bad input: the loader refuses rules that could).
   * The batch still counts for the other rules, once; this rule may have counted part of it.
   */
  failedBatches: number;
}
