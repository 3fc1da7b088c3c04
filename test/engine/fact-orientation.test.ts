import { Engine as JsonRulesEngine, type TopLevelCondition } from 'json-rules-engine';
import { factOrientation } from '../../src/engine/fact-orientation';
import type { NestedCondition } from '../../src/rules/resolve-condition';
import { FACTS, randomCondition, randomFacts, seededRandom } from '../support/random-conditions';

const DRAWS = 600;

function orientationOf(when: NestedCondition, shared: Record<string, TopLevelCondition> = {}): Record<string, string> {
  const o = factOrientation(when, shared);
  return Object.fromEntries(o.facts);
}

async function holds(when: NestedCondition, facts: Record<string, number>): Promise<boolean> {
  const engine = new JsonRulesEngine([], { allowUndefinedFacts: false });
  engine.addRule({ conditions: when as TopLevelCondition, event: { type: 'fire' } });
  return (await engine.run({ ...facts })).events.length > 0;
}

describe('factOrientation', () => {
  it('tells per fact whether the condition rises or falls as it grows', () => {
    expect(orientationOf({ all: [{ fact: 'count', operator: 'greaterThanInclusive', value: 100 }] })).toEqual({ count: 'rises' });
    expect(orientationOf({ any: [{ fact: 'rate', operator: 'lessThan', value: 5 }] })).toEqual({ rate: 'falls' });
    // `not` turns the orientation over.
    expect(orientationOf({ all: [{ not: { fact: 'count', operator: 'lessThan', value: 5 } } as NestedCondition] })).toEqual({ count: 'rises' });
    // Fact against fact: rises in the one, falls in the other.
    expect(orientationOf({ all: [{ fact: 'count', operator: 'greaterThan', value: { fact: 'baseline' } }] })).toEqual({ count: 'rises', baseline: 'falls' });
  });

  it('says unknown for a fact moved both ways, equal, other operators and non-numbers', () => {
    const band = { all: [{ fact: 'count', operator: 'greaterThan', value: 1 }, { fact: 'count', operator: 'lessThan', value: 9 }] };
    expect(orientationOf(band)).toEqual({ count: 'unknown' });
    expect(orientationOf({ all: [{ fact: 'count', operator: 'equal', value: 3 }] })).toEqual({ count: 'unknown' });
    expect(orientationOf({ all: [{ fact: 'count', operator: 'greaterThan', value: '3' }] })).toEqual({ count: 'unknown' });
    expect(orientationOf({ all: [{ fact: 'count', operator: 'greaterThan', value: { fact: 'count' } }] })).toEqual({ count: 'unknown' });
    expect(orientationOf({ all: [{ fact: 'count', operator: 'greaterThan', value: 3, path: '$.x' } as NestedCondition] })).toEqual({ count: 'unknown' });
  });

  it('follows shared conditions, and is incomplete on a missing or self-referencing one', () => {
    const shared = { busy: { all: [{ fact: 'count', operator: 'greaterThan', value: 10 }] } as TopLevelCondition };
    const when = { all: [{ condition: 'busy' }, { fact: 'distinct.lport', operator: 'greaterThan', value: 3 }] } as NestedCondition;
    expect(factOrientation(when, shared)).toEqual({ facts: new Map([['count', 'rises'], ['distinct.lport', 'rises']]), complete: true });
    expect(factOrientation({ all: [{ condition: 'gone' }] } as NestedCondition, shared).complete).toBe(false);
    const loop = { loop: { all: [{ condition: 'loop' }] } as TopLevelCondition };
    expect(factOrientation({ all: [{ condition: 'loop' }] } as NestedCondition, loop).complete).toBe(false);
  });

  it.each([
    ['any operator', false, 1],
    ['monotone by construction', true, 2],
  ])('holds against json-rules-engine on %s: a fact that rises never turns the verdict false as it grows (%#)', async (_kind, monotone, seed) => {
    const draw = seededRandom(seed);
    let checked = 0;
    for (let i = 0; i < DRAWS; i++) {
      const when = randomCondition(draw, FACTS, monotone);
      const orientation = factOrientation(when, {});
      if (monotone) expect([...orientation.facts.values()]).not.toContain('unknown');
      const sure = [...orientation.facts].filter(([, o]) => o !== 'unknown');
      if (sure.length === 0) continue;
      const [fact, o] = sure[Math.floor(draw() * sure.length)];
      const low = randomFacts(draw);
      const high = { ...low, [fact]: low[fact] + 1 + Math.floor(draw() * 6) };
      const [atLow, atHigh] = [await holds(when, low), await holds(when, high)];
      const context = { when: JSON.stringify(when), fact, low, high };
      if (o === 'rises') expect({ ...context, broken: atLow && !atHigh }).toEqual({ ...context, broken: false });
      else expect({ ...context, broken: atHigh && !atLow }).toEqual({ ...context, broken: false });
      checked++;
    }
    expect(checked).toBeGreaterThan(DRAWS / 3);
  });
});
