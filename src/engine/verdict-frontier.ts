import type { VerdictBounds } from './verdict-bounds';

/** Vectors kept per side: a check walks them all, on a memo miss only. */
const FRONTIER_SIZE = 16;

/**
 * Verdict bounds of a condition on several facts: up to 16 maximal vectors judged false and 16
 * minimal ones judged true. A vector at or below (every coordinate) a false one is false, one at
 * or above a true one is true. A newly learnt vector replaces those it dominates on its side; when
 * a side is full, its oldest vector makes room (the frontier follows the traffic).
 */
export class VerdictFrontier implements VerdictBounds {
  private readonly falses: Float64Array[] = [];
  private readonly trues: Float64Array[] = [];

  verdict(values: Float64Array): boolean | undefined {
    for (const t of this.trues) if (atLeast(values, t)) return true;
    for (const f of this.falses) if (atLeast(f, values)) return false;
    return undefined;
  }

  learn(values: Float64Array, holds: boolean): void {
    const side = holds ? this.trues : this.falses;
    // A true vector is kept if no kept one is below it; a false one if none is above it.
    const covered = holds ? (v: Float64Array) => atLeast(values, v) : (v: Float64Array) => atLeast(v, values);
    if (side.some(covered)) return;
    const covers = holds ? (v: Float64Array) => atLeast(v, values) : (v: Float64Array) => atLeast(values, v);
    for (let i = side.length - 1; i >= 0; i--) if (covers(side[i])) side.splice(i, 1);
    if (side.length >= FRONTIER_SIZE) side.shift();
    side.push(Float64Array.from(values));
  }
}

/** Whether every coordinate of `a` is at least that of `b`. */
function atLeast(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!(a[i] >= b[i])) return false;
  return true;
}
