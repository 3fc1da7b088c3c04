/**
 * Verdicts of a condition that can only become true as each coordinate of its facts grows
 * (RuleJudge orients the facts so that this holds): verdicts learnt on some vectors decide
 * others without running the condition.
 */
export interface VerdictBounds {
  /** true if `values` dominate a vector judged true, false if a vector judged false dominates them, else undefined. */
  verdict(values: Float64Array): boolean | undefined;
  learn(values: Float64Array, holds: boolean): void;
}
