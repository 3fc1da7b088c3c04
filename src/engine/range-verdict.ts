import type { TopLevelCondition } from 'json-rules-engine';
import type { NestedCondition } from '../rules/resolve-condition';

/**
 * A rule's `when` judged on ranges of its facts instead of their values: true when it holds for
 * every value in the ranges, false when it fails for every one, undefined when that depends on
 * where in them the facts lie. `lo` and `hi` hold each fact's range in RuleJudge.facts order.
 */
export type RangeVerdict = (lo: Float64Array, hi: Float64Array) => boolean | undefined;

/** Three-valued: 1 holds, 0 fails, -1 depends on the values. */
type Part = (lo: Float64Array, hi: Float64Array) => number;

const DEPENDS: Part = () => -1;

/**
 * Compiles `when` (shared conditions followed) for ranges. A window's distinct counts cost a merge
 * of its slices' values, where their range (the largest slice's count to the sum of the slices')
 * is a few additions: when that range settles the verdict (port counts far under a threshold, or a
 * count alone over its own in an `any`), the counts need not be merged at all.
 *
 * Only a comparison of a fact with a number by lessThan, lessThanInclusive, greaterThan or
 * greaterThanInclusive is judged, with the meaning json-rules-engine gives it on numbers; all, any
 * and not combine the parts in three values. Anything else (another operator, a value that is not
 * a finite number, a path or params, a fact not in `facts`, an empty list, a shared condition
 * missing or naming itself) depends on the values: json-rules-engine judges those.
 */
export function rangeVerdict(when: NestedCondition, shared: Record<string, TopLevelCondition>, facts: string[]): RangeVerdict {
  const part = compile(when, shared, facts, []);
  return (lo, hi) => {
    const v = part(lo, hi);
    return v < 0 ? undefined : v === 1;
  };
}

function compile(cond: NestedCondition, shared: Record<string, TopLevelCondition>, facts: string[], path: string[]): Part {
  if ('all' in cond || 'any' in cond) {
    const list = ('all' in cond ? cond.all : cond.any) as NestedCondition[];
    if (list.length === 0) return DEPENDS;
    const parts = list.map((c) => compile(c, shared, facts, path));
    // all: fails if one part fails, holds if every part holds; any: the other way round.
    const decisive = 'all' in cond ? 0 : 1;
    return (lo, hi) => {
      let result = 1 - decisive;
      for (const p of parts) {
        const v = p(lo, hi);
        if (v === decisive) return decisive;
        if (v < 0) result = -1;
      }
      return result;
    };
  }
  if ('not' in cond) {
    const inner = compile(cond.not as NestedCondition, shared, facts, path);
    return (lo, hi) => {
      const v = inner(lo, hi);
      return v < 0 ? -1 : 1 - v;
    };
  }
  if ('condition' in cond) {
    const name = cond.condition as string;
    const def = shared[name];
    if (!def || path.includes(name)) return DEPENDS;
    return compile(def, shared, facts, [...path, name]);
  }
  const c = cond.value;
  const i = facts.indexOf(cond.fact);
  if ('path' in cond || 'params' in cond || typeof c !== 'number' || !Number.isFinite(c) || i < 0) return DEPENDS;
  switch (cond.operator) {
    case 'greaterThan':
      return (lo, hi) => (lo[i] > c ? 1 : hi[i] <= c ? 0 : -1);
    case 'greaterThanInclusive':
      return (lo, hi) => (lo[i] >= c ? 1 : hi[i] < c ? 0 : -1);
    case 'lessThan':
      return (lo, hi) => (hi[i] < c ? 1 : lo[i] >= c ? 0 : -1);
    case 'lessThanInclusive':
      return (lo, hi) => (hi[i] <= c ? 1 : lo[i] > c ? 0 : -1);
    default:
      return DEPENDS;
  }
}
