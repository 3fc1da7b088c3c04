import { Engine as JsonRulesEngine, type TopLevelCondition } from 'json-rules-engine';
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

  constructor(rule: CompiledRule, order: string[]) {
    const named = factsOf(rule.when, rule.sharedConditions, new Set());
    this.facts = order.filter((f) => named.has(f));
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

