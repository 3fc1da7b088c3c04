import type { VerdictBounds } from './verdict-bounds';

/**
 * Verdict bounds of a condition on one fact: the largest value judged false and the smallest
 * judged true. Every value at or below the one is false, at or above the other true: O(1).
 */
export class VerdictThresholds implements VerdictBounds {
  private maxFalse = -Infinity;
  private minTrue = Infinity;

  verdict(values: Float64Array): boolean | undefined {
    const x = values[0];
    if (x >= this.minTrue) return true;
    if (x <= this.maxFalse) return false;
    return undefined;
  }

  learn(values: Float64Array, holds: boolean): void {
    const x = values[0];
    if (holds) this.minTrue = Math.min(this.minTrue, x);
    else this.maxFalse = Math.max(this.maxFalse, x);
  }
}
