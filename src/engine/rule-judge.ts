import { Engine as JsonRulesEngine } from 'json-rules-engine';
import type { CompiledRule } from '../rules/compiled-rule';

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
  private readonly memo = new Map<string, boolean>();
  /** Runs in flight by facts: groups judged together with the same facts share one run. */
  private readonly pending = new Map<string, Promise<boolean>>();
  /** json-rules-engine runs (memo misses). */
  runs = 0;

  constructor(rule: CompiledRule) {
    this.engine = new JsonRulesEngine([], { allowUndefinedFacts: false });
    for (const [name, cond] of Object.entries(rule.sharedConditions)) this.engine.setCondition(name, cond);
    this.engine.addRule({ conditions: rule.when, event: { type: 'fire' } });
  }

  /** The remembered verdict for `key` (the facts' values, see `factsKey`), or undefined. */
  known(key: string): boolean | undefined {
    return this.memo.get(key);
  }

  /** Runs json-rules-engine on `facts` (once for concurrent asks with the same key) and remembers the verdict under `key`. */
  run(key: string, facts: Record<string, number>): Promise<boolean> {
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

/** The memo key of a set of facts: their values in the rule's fixed fact order. */
export function factsKey(facts: Record<string, number>): string {
  let key = '';
  for (const name in facts) key += facts[name] + ',';
  return key;
}
