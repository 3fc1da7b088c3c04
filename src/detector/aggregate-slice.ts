import { COLLECTOR_DEFAULTS } from '../collector/collector';
import { sliceMsOf } from '../engine/sliding-window';
import type { CompiledRule } from '../rules/compiled-rule';

/** The shortest in-kernel aggregation slice (100 ms), and the one for rules whose slices share no longer divisor. */
const MIN_SLICE_MS = COLLECTOR_DEFAULTS.aggregateSliceMs;

/**
 * The in-kernel aggregation slice for `rules` (docs/architecture.md, "Aggregation under load"):
 * the longest that divides every rule's window slice, so that no aggregate straddles one, and is
 * no longer than the engine's tick, which looks into the open slices only that often anyway;
 * 100 ms when no such slice is that long. Each slice costs the engine one event per key, so
 * longer slices are what make a flood from many sources cheap: the shipped rules (10 s windows,
 * 1 s slices) get 250 ms slices with the default tick, 2.5 times fewer events than 100 ms.
 */
export function aggregateSliceMsOf(rules: readonly CompiledRule[], tickMs: number): number {
  let common = 0;
  for (const rule of rules) common = gcd(common, sliceMsOf(rule.windowMs));
  // The largest divisor of `common` no longer than the tick: common / n for the smallest such n.
  for (let n = Math.max(1, Math.ceil(common / tickMs)); common / n >= MIN_SLICE_MS; n++) {
    if (common % n === 0) return common / n;
  }
  return MIN_SLICE_MS;
}

/** Whether `rule`'s window slices are whole multiples of `aggregateSliceMs`: its aggregates never straddle one. */
export function slicesFit(rule: CompiledRule, aggregateSliceMs: number): boolean {
  return sliceMsOf(rule.windowMs) % aggregateSliceMs === 0;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
