import { Engine as JsonRulesEngine, type TopLevelCondition } from 'json-rules-engine';
import { rangeVerdict } from '../../src/engine/range-verdict';
import type { NestedCondition } from '../../src/rules/resolve-condition';
import { topLevel } from '../../src/rules/resolve-condition';
import { seededRandom } from '../support/random-conditions';

const FACTS = ['count', 'rate', 'distinct.rport'];
const OPERATORS = ['greaterThan', 'greaterThanInclusive', 'lessThan', 'lessThanInclusive', 'equal', 'notEqual'];

/** A random `when`: comparisons (mostly numeric, some json-rules-engine judges alone) under all/any/not, and a shared condition. */
function condition(draw: () => number, depth: number): NestedCondition {
  const r = draw();
  if (depth > 0 && r < 0.35) {
    const list = Array.from({ length: 1 + Math.floor(draw() * 3) }, () => condition(draw, depth - 1));
    return draw() < 0.5 ? { all: list } : { any: list };
  }
  if (depth > 0 && r < 0.45) return { not: condition(draw, depth - 1) } as NestedCondition;
  if (r < 0.5) return { condition: 'shared' } as NestedCondition;
  const value = draw() < 0.1 ? [3, 5] : Math.floor(draw() * 12);
  const operator = Array.isArray(value) ? 'in' : OPERATORS[Math.floor(draw() * OPERATORS.length)];
  return { fact: FACTS[Math.floor(draw() * FACTS.length)], operator, value } as NestedCondition;
}

// Whenever the ranges decide the verdict, json-rules-engine must give that verdict for every
// value in the ranges (tried at both ends and in between); and they must decide it often enough
// for that to say something.
test.each([1, 2, 3, 4])('a verdict on ranges is json-rules-engine verdict on every value in them (seed %i)', async (seed) => {
  const draw = seededRandom(seed);
  const shared: Record<string, TopLevelCondition> = { shared: { all: [{ fact: 'count', operator: 'greaterThan', value: 4 }] } };
  let decided = 0;
  const wrong: string[] = [];
  for (let n = 0; n < 150; n++) {
    const when = condition(draw, 3);
    const judge = rangeVerdict(when, shared, FACTS);
    const engine = new JsonRulesEngine([], { allowUndefinedFacts: false });
    engine.setCondition('shared', shared.shared);
    engine.addRule({ conditions: topLevel(when), event: { type: 'fire' } });
    for (let t = 0; t < 8; t++) {
      const lo = Float64Array.from(FACTS, () => Math.floor(draw() * 12));
      const hi = Float64Array.from(lo, (l) => (draw() < 0.4 ? l : draw() < 0.1 ? Infinity : l + Math.floor(draw() * 6)));
      const verdict = judge(lo, hi);
      if (verdict === undefined) continue;
      decided++;
      for (const at of [0, 0.5, 1]) {
        const facts: Record<string, number> = {};
        FACTS.forEach((f, i) => {
          facts[f] = hi[i] === Infinity ? lo[i] + 1e6 * at : Math.round(lo[i] + (hi[i] - lo[i]) * at);
        });
        const holds = (await engine.run(facts)).events.length > 0;
        if (holds !== verdict) wrong.push(`${JSON.stringify(when)} on ${JSON.stringify(facts)}: ${verdict}, json-rules-engine ${holds}`);
      }
    }
  }
  expect(wrong).toEqual([]);
  expect(decided).toBeGreaterThan(200);
});
