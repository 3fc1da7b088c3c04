import { Engine as JsonRulesEngine, type TopLevelCondition } from 'json-rules-engine';
import { DISTINCT_PREFIX } from '../rules/aggregates';
import type { CompiledRule } from '../rules/compiled-rule';
import type { NestedCondition } from '../rules/resolve-condition';

/** Verdicts remembered per rule before the memo starts over. */
const MEMO_LIMIT = 4096;

/**
 * A rule's `when`, compiled once into a json-rules-engine instance, with its verdicts remembered
 * by the facts they were given. The facts are numbers only and the conditions compare them with
 * pure operators, so a verdict is a function of the facts: under sliding windows most groups are
 * judged again and again with facts seen before (a count of 3, one distinct port), and asking
 * json-rules-engine (tens of microseconds, a promise each) only for new ones keeps the judgement
 * of every changed group at every slice boundary affordable.
 */
export class RuleJudge {
  private readonly engine: JsonRulesEngine;
  private readonly memo = new Map<string | number, boolean>();
  /** Runs in flight by facts: groups judged together with the same facts share one run. */
  private readonly pending = new Map<string | number, Promise<boolean>>();
  /** The facts `when` names (shared conditions followed), in the order the engine computes them. */
  readonly facts: string[];
  /** json-rules-engine runs (memo misses). */
  runs = 0;
  /**
   * Whether `when` can only turn from false to true as events are added to a window: then a
   * verdict on part of a slice stands for the whole slice, and a group may fire before the slice
   * closes (RuleRuntime.look).
   */
  readonly risesWithEvents: boolean;

  constructor(rule: CompiledRule, order: string[]) {
    const named = factsOf(rule.when, rule.sharedConditions, new Set());
    this.facts = order.filter((f) => named.has(f));
    this.risesWithEvents = risesWithEvents(rule.when, rule.sharedConditions, new Set());
    this.engine = new JsonRulesEngine([], { allowUndefinedFacts: false });
    for (const [name, cond] of Object.entries(rule.sharedConditions)) this.engine.setCondition(name, cond);
    this.engine.addRule({ conditions: rule.when, event: { type: 'fire' } });
  }

  /** The remembered verdict for `key` (what the facts' values are known by), or undefined. */
  known(key: string | number): boolean | undefined {
    return this.memo.get(key);
  }

  /** Runs json-rules-engine on `facts` (once for concurrent asks with the same key) and remembers the verdict under `key`. */
  run(key: string | number, facts: Record<string, number>): Promise<boolean> {
    let verdict = this.pending.get(key);
    if (!verdict) {
      this.runs++;
      verdict = this.engine.run({ ...facts }).then(
        (result) => {
          this.pending.delete(key);
          const holds = result.events.length > 0;
          if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
          this.memo.set(key, holds);
          return holds;
        },
        (err: unknown) => {
          this.pending.delete(key);
          throw err;
        },
      );
      this.pending.set(key, verdict);
    }
    return verdict;
  }
}

/** The facts named in a condition, following shared conditions. */
function factsOf(cond: NestedCondition, shared: Record<string, TopLevelCondition>, seen: Set<string>, out = new Set<string>()): Set<string> {
  if ('all' in cond) for (const c of cond.all) factsOf(c as NestedCondition, shared, seen, out);
  else if ('any' in cond) for (const c of cond.any) factsOf(c as NestedCondition, shared, seen, out);
  else if ('not' in cond) factsOf(cond.not as NestedCondition, shared, seen, out);
  else if ('condition' in cond) {
    const name = cond.condition as string;
    if (!seen.has(name) && shared[name]) {
      seen.add(name);
      factsOf(shared[name], shared, seen, out);
    }
  } else if ('fact' in cond) out.add(cond.fact);
  return out;
}


/** Facts that only grow as events are added to a window; `baseline` is fixed for a slice. */
const GROWING_FACTS = new Set(['count', 'rate', 'spike']);
const RISING_OPERATORS = new Set(['greaterThan', 'greaterThanInclusive']);

/**
 * Whether a condition, false on a window, can only become true as events are added to it: all/any
 * of such conditions, and comparisons of a growing fact (count, rate, spike, distinct.*) with a
 * number by > or >=. `baseline` comes from blocks before the window and does not move within a
 * slice, so any comparison of it qualifies. A `not`, a `lessThan` or an `equal` on a growing fact
 * can turn false again: such a rule is judged at slice boundaries only.
 */
function risesWithEvents(cond: NestedCondition, shared: Record<string, TopLevelCondition>, seen: Set<string>): boolean {
  if ('all' in cond) return cond.all.every((c) => risesWithEvents(c as NestedCondition, shared, seen));
  if ('any' in cond) return cond.any.every((c) => risesWithEvents(c as NestedCondition, shared, seen));
  if ('not' in cond) return false;
  if ('condition' in cond) {
    const name = cond.condition as string;
    // A shared condition met again through another reference was already found rising.
    if (seen.has(name)) return true;
    seen.add(name);
    return shared[name] !== undefined && risesWithEvents(shared[name], shared, seen);
  }
  if (!('fact' in cond) || typeof cond.value !== 'number') return false;
  if (cond.fact === 'baseline') return true;
  const grows = GROWING_FACTS.has(cond.fact) || cond.fact.startsWith(DISTINCT_PREFIX);
  return grows && RISING_OPERATORS.has(cond.operator);
}
