import { Engine as JsonRulesEngine, type TopLevelCondition } from 'json-rules-engine';
import { RuleJudge } from '../../src/engine/rule-judge';
import type { CompiledRule } from '../../src/rules/compiled-rule';
import type { NestedCondition } from '../../src/rules/resolve-condition';
import { FACTS, randomCondition, randomFacts, seededRandom, type Draw } from '../support/random-conditions';

const DRAWS = 600;
/** Facts judged per condition: enough for the memo and the bounds to learn and then answer. */
const JUDGED = 12;

/** A RuleJudge needs only a rule's `when` and shared conditions. */
function judgeOf(when: NestedCondition, facts: readonly string[] = FACTS, shared: Record<string, TopLevelCondition> = {}): RuleJudge {
  return new RuleJudge({ when, sharedConditions: shared } as unknown as CompiledRule, [...facts]);
}

/** The rule runtime's order: the exact memo, then the bounds, then json-rules-engine. */
async function verdict(judge: RuleJudge, facts: Record<string, number>): Promise<{ holds: boolean; from: 'memo' | 'bounds' | 'run' }> {
  const key = JSON.stringify(facts);
  const known = judge.known(key);
  if (known !== undefined) return { holds: known, from: 'memo' };
  const values = Float64Array.from(judge.facts, (f) => facts[f]);
  const bounded = judge.bounded(values);
  if (bounded !== undefined) return { holds: bounded, from: 'bounds' };
  return { holds: await judge.run(key, values), from: 'run' };
}

async function reference(when: NestedCondition, facts: Record<string, number>): Promise<boolean> {
  const engine = new JsonRulesEngine([], { allowUndefinedFacts: false });
  engine.addRule({ conditions: when as TopLevelCondition, event: { type: 'fire' } });
  return (await engine.run({ ...facts })).events.length > 0;
}

/** Judges DRAWS random conditions on random facts; every verdict must be json-rules-engine's. Returns where they came from. */
async function compare(draw: Draw, facts: readonly string[], monotone: boolean): Promise<Record<string, number>> {
  const from: Record<string, number> = { memo: 0, bounds: 0, run: 0 };
  for (let i = 0; i < DRAWS; i++) {
    const when = randomCondition(draw, facts, monotone);
    const judge = judgeOf(when, facts);
    for (let j = 0; j < JUDGED; j++) {
      const f = randomFacts(draw, facts);
      const got = await verdict(judge, f);
      const want = await reference(when, f);
      from[got.from]++;
      if (got.holds !== want) expect({ when: JSON.stringify(when), facts: f, from: got.from, holds: got.holds }).toEqual({ holds: want });
    }
  }
  return from;
}

describe('RuleJudge', () => {
  it('gives json-rules-engine verdicts on one fact, from the thresholds once learnt', async () => {
    const from = await compare(seededRandom(11), ['count'], true);
    expect(from.bounds).toBeGreaterThan(from.run);
  });

  it('gives json-rules-engine verdicts on several facts, from the frontier once learnt', async () => {
    const from = await compare(seededRandom(12), FACTS, true);
    expect(from.bounds).toBeGreaterThan(DRAWS);
  });

  it('gives json-rules-engine verdicts on conditions that are not monotone (no bounds)', async () => {
    const from = await compare(seededRandom(13), FACTS, false);
    expect(from.run).toBeGreaterThan(from.bounds);
  });

  it('has bounds only for a condition monotone in every fact', () => {
    expect(judgeOf({ all: [{ fact: 'count', operator: 'greaterThan', value: 5 }] }).hasBounds).toBe(true);
    expect(judgeOf({ all: [{ fact: 'count', operator: 'lessThan', value: 5 }, { fact: 'spike', operator: 'greaterThan', value: 2 }] }).hasBounds).toBe(true);
    expect(judgeOf({ all: [{ fact: 'count', operator: 'equal', value: 5 }] }).hasBounds).toBe(false);
    expect(judgeOf({ all: [{ fact: 'count', operator: 'greaterThan', value: 5 }, { fact: 'count', operator: 'lessThan', value: 50 }] }).hasBounds).toBe(false);
  });

  it('rises with events when every growing fact rises; baseline, fixed within a slice, may go either way', () => {
    const rises = (when: NestedCondition): boolean => judgeOf(when).risesWithEvents;
    expect(rises({ all: [{ fact: 'count', operator: 'greaterThanInclusive', value: 100 }] })).toBe(true);
    expect(rises({ all: [{ not: { fact: 'distinct.lport', operator: 'lessThan', value: 20 } } as NestedCondition] })).toBe(true);
    expect(rises({ all: [{ fact: 'spike', operator: 'greaterThan', value: 3 }, { fact: 'baseline', operator: 'lessThan', value: 50 }] })).toBe(true);
    expect(rises({ all: [{ fact: 'count', operator: 'greaterThan', value: { fact: 'baseline' } }] })).toBe(true);
    expect(rises({ all: [{ fact: 'count', operator: 'lessThan', value: 5 }] })).toBe(false);
    expect(rises({ all: [{ fact: 'rate', operator: 'equal', value: 5 }] })).toBe(false);
    expect(rises({ all: [{ condition: 'missing' } as NestedCondition] })).toBe(false);
  });

  it('names the facts compared with, not only those compared', () => {
    expect(judgeOf({ all: [{ fact: 'count', operator: 'greaterThan', value: { fact: 'baseline' } }] }).facts).toEqual(['count', 'baseline']);
  });
});
