import { Engine as JsonRulesEngine } from 'json-rules-engine';
import { DISTINCT_PREFIX } from '../rules/aggregates';
import type { CompiledRule } from '../rules/compiled-rule';
import { factOrientation, type FactOrientation } from './fact-orientation';
import type { VerdictBounds } from './verdict-bounds';
import { VerdictFrontier } from './verdict-frontier';
import { VerdictThresholds } from './verdict-thresholds';

/** Verdicts remembered per rule before the memo starts over. */
const MEMO_LIMIT = 4096;

/**
 * A rule's `when`, compiled once into a json-rules-engine instance, with its verdicts remembered
 * by the facts they were given. The facts are numbers only and the conditions compare them with
 * pure operators, so a verdict is a function of the facts: under sliding windows most groups are
 * judged again and again with facts seen before (a count of 3, one distinct port), and asking
 * json-rules-engine (tens of microseconds, a promise each) only for new ones keeps the judgement
 * of every changed group at every slice boundary affordable.
 *
 * Counts that change (a live window slides over traffic that never repeats exactly) miss that
 * memo; when `when` is monotone in each of its facts (see factOrientation), the verdicts learnt
 * bound the others (`bounded`): a count of 7 judged false under `count >= 100` makes 5 false too.
 * Order: the exact memo, then the bounds, then json-rules-engine.
 */
export class RuleJudge {
  private readonly engine: JsonRulesEngine;
  private readonly memo = new Map<string | number, boolean>();
  /** Runs in flight by facts: groups judged together with the same facts share one run. */
  private readonly pending = new Map<string | number, Promise<boolean>>();
  /** The facts `when` names (shared conditions followed), in the order the engine computes them. */
  readonly facts: string[];
  /** json-rules-engine runs (memo and bounds misses). */
  runs = 0;
  /** Verdicts learnt, over the facts in `facts` order, each oriented to rise; undefined when `when` is not monotone. */
  private readonly bounds: VerdictBounds | undefined;
  /** Per fact in `facts` order: 1 if `when` rises with it, -1 if it falls. */
  private readonly signs: number[] = [];
  private readonly values: Float64Array;
  /**
   * Whether `when` can only turn from false to true as events are added to a window: then a
   * verdict on part of a slice stands for the whole slice, and a group may fire before the slice
   * closes (RuleRuntime.look).
   */
  readonly risesWithEvents: boolean;

  constructor(rule: CompiledRule, order: string[]) {
    const orientation = factOrientation(rule.when, rule.sharedConditions);
    this.facts = order.filter((f) => orientation.facts.has(f));
    this.risesWithEvents = risesWithEvents(orientation);
    const monotone = orientation.complete && this.facts.length === orientation.facts.size && this.facts.every((f) => orientation.facts.get(f) !== 'unknown');
    if (monotone) {
      this.signs = this.facts.map((f) => (orientation.facts.get(f) === 'rises' ? 1 : -1));
      this.bounds = this.facts.length === 1 ? new VerdictThresholds() : new VerdictFrontier();
    }
    this.values = new Float64Array(this.facts.length);
    this.engine = new JsonRulesEngine([], { allowUndefinedFacts: false });
    for (const [name, cond] of Object.entries(rule.sharedConditions)) this.engine.setCondition(name, cond);
    this.engine.addRule({ conditions: rule.when, event: { type: 'fire' } });
  }

  /** The remembered verdict for `key` (what the facts' values are known by), or undefined. */
  known(key: string | number): boolean | undefined {
    return this.memo.get(key);
  }

  /** Whether verdicts can come from the bounds (`bounded`): `when` is monotone in its facts. */
  get hasBounds(): boolean {
    return this.bounds !== undefined;
  }

  /** The verdict the bounds give for `values` (the facts named in `facts`, in that order), or undefined. */
  bounded(values: Float64Array): boolean | undefined {
    return this.bounds && this.oriented(values) ? this.bounds.verdict(this.values) : undefined;
  }

  /**
   * Fills `this.values` with `values`, each oriented to rise; false for a NaN, on which
   * json-rules-engine's comparisons are false whatever the other facts (not monotone).
   */
  private oriented(values: Float64Array): boolean {
    const oriented = this.values;
    for (let i = 0; i < oriented.length; i++) {
      const v = values[i];
      if (Number.isNaN(v)) return false;
      oriented[i] = this.signs[i] * v;
    }
    return true;
  }

  /**
   * Runs json-rules-engine on `values` (the facts named in `facts`, in that order; once for
   * concurrent asks with the same key) and remembers the verdict under `key`. The facts object
   * json-rules-engine needs is built here only: memo and bounds answer from the numbers.
   */
  run(key: string | number, values: Float64Array): Promise<boolean> {
    let verdict = this.pending.get(key);
    if (!verdict) {
      this.runs++;
      const facts: Record<string, number> = {};
      for (let i = 0; i < this.facts.length; i++) facts[this.facts[i]] = values[i];
      verdict = this.engine.run(facts).then(
        (result) => {
          this.pending.delete(key);
          const holds = result.events.length > 0;
          if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
          this.memo.set(key, holds);
          if (this.bounds && this.oriented(values)) this.bounds.learn(this.values, holds);
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

/** Facts that only grow as events are added to a window; `baseline` is fixed for a slice. */
const GROWING_FACTS = new Set(['count', 'rate', 'spike']);

/**
 * Whether `when`, false on a window, can only become true as events are added to it: it rises
 * with every growing fact it names (count, rate, spike, distinct.*). `baseline` comes from blocks
 * before the window and does not move within a slice, so it may be compared any way. A rule whose
 * condition can turn false again as events come in is judged at slice boundaries only.
 */
function risesWithEvents(orientation: FactOrientation): boolean {
  if (!orientation.complete) return false;
  for (const [fact, o] of orientation.facts) {
    if (fact === 'baseline') continue;
    const grows = GROWING_FACTS.has(fact) || fact.startsWith(DISTINCT_PREFIX);
    if (!grows || o !== 'rises') return false;
  }
  return true;
}
