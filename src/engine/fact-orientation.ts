import type { TopLevelCondition } from 'json-rules-engine';
import type { NestedCondition } from '../rules/resolve-condition';

/**
 * How a condition moves as one fact grows, the others fixed: `rises` (it can only become true,
 * never false), `falls` (it can only become false), `unknown` (either, or not known).
 */
export type Orientation = 'rises' | 'falls' | 'unknown';

/** Per fact a condition names, how the condition moves as that fact grows. */
export interface FactOrientation {
  facts: Map<string, Orientation>;
  /** False when a shared condition is missing or refers to itself: json-rules-engine fails there rather than judging. */
  complete: boolean;
}

const RISING = new Set(['greaterThan', 'greaterThanInclusive']);
const FALLING = new Set(['lessThan', 'lessThanInclusive']);

/**
 * The one analysis of a rule's `when` (shared conditions followed) that everything about its
 * monotony is derived from: whether a verdict on part of a slice stands for the whole slice
 * (RuleJudge.risesWithEvents), and whether verdicts on some facts bound the verdicts on others
 * (RuleJudge's verdict bounds). A comparison `fact > number` rises in its fact, `fact < number`
 * falls, `a > {fact: b}` rises in a and falls in b; all/any keep their parts' orientations, and
 * `not` turns them over. Two parts that move one fact in opposite ways, an `equal`, any other
 * operator or a value that is not a number make that fact `unknown`. json-rules-engine's
 * comparisons are false on a fact that is not a number (NaN), whatever its size: the bounds skip
 * such facts (see RuleJudge).
 */
export function factOrientation(when: NestedCondition, shared: Record<string, TopLevelCondition>): FactOrientation {
  const out: FactOrientation = { facts: new Map(), complete: true };
  orient(when, shared, false, [], out);
  return out;
}

function orient(cond: NestedCondition, shared: Record<string, TopLevelCondition>, negated: boolean, path: string[], out: FactOrientation): void {
  if ('all' in cond) for (const c of cond.all) orient(c as NestedCondition, shared, negated, path, out);
  else if ('any' in cond) for (const c of cond.any) orient(c as NestedCondition, shared, negated, path, out);
  else if ('not' in cond) orient(cond.not as NestedCondition, shared, !negated, path, out);
  else if ('condition' in cond) {
    const name = cond.condition as string;
    const def = shared[name];
    // A missing or self-referencing shared condition makes json-rules-engine fail, not judge: no bounds.
    if (!def || path.includes(name)) out.complete = false;
    else orient(def, shared, negated, [...path, name], out);
  } else if ('fact' in cond) {
    const op = cond.operator;
    const direction = RISING.has(op) ? 1 : FALLING.has(op) ? -1 : 0;
    const sign = negated ? -direction : direction;
    const other = factReference(cond.value);
    // A path or params make the compared value something other than the fact itself.
    const plain = !('path' in cond) && !('params' in cond);
    if (!plain || (typeof cond.value !== 'number' && other === undefined) || other === cond.fact) {
      join(out, cond.fact, 'unknown');
      if (other !== undefined) join(out, other, 'unknown');
      return;
    }
    join(out, cond.fact, sign > 0 ? 'rises' : sign < 0 ? 'falls' : 'unknown');
    if (other !== undefined) join(out, other, sign > 0 ? 'falls' : sign < 0 ? 'rises' : 'unknown');
  }
}

/** The fact a `{ fact: name }` value compares with, if it is one. */
function factReference(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  const fact = (value as { fact?: unknown }).fact;
  // `{ fact, path }` or `{ fact, params }` compare with part of a fact, or a fact computed otherwise.
  return keys.length === 1 && typeof fact === 'string' ? fact : undefined;
}

function join(out: FactOrientation, fact: string, o: Orientation): void {
  const before = out.facts.get(fact);
  out.facts.set(fact, before === undefined || before === o ? o : 'unknown');
}
