/**
 * Seeded random draws for property tests of `when` judging: conditions in json-rules-engine's
 * vocabulary over a rule's numeric facts, and facts to judge them on. Small integer values make
 * equal and dominated vectors frequent, which is where bounds and memo matter.
 */
import type { NestedCondition } from '../../src/rules/resolve-condition';

export const FACTS = ['count', 'rate', 'distinct.lport', 'spike', 'baseline'];

/** mulberry32: a seeded generator of floats in [0, 1), so a failing draw can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Draw = () => number;

function pick<T>(draw: Draw, items: readonly T[]): T {
  return items[Math.floor(draw() * items.length)];
}

/** Facts over `facts`, integers 0..12 with a few halves (rates and spikes are fractions). */
export function randomFacts(draw: Draw, facts: readonly string[] = FACTS): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of facts) out[f] = Math.floor(draw() * 13) + (draw() < 0.2 ? 0.5 : 0);
  return out;
}

/**
 * A random condition of depth <= 3 over `facts`. `monotone`: each fact is given one direction
 * (rising or falling) and every comparison, seen through the `not`s above it, moves it that way;
 * otherwise any operator, equal and notEqual included, and any direction.
 */
export function randomCondition(draw: Draw, facts: readonly string[], monotone: boolean): NestedCondition {
  const rising = new Map(facts.map((f) => [f, draw() < 0.5]));
  const node = (depth: number, negated: boolean): NestedCondition => {
    const r = draw();
    if (depth < 3 && r < 0.25) return { all: Array.from({ length: 1 + Math.floor(draw() * 3) }, () => node(depth + 1, negated)) };
    if (depth < 3 && r < 0.5) return { any: Array.from({ length: 1 + Math.floor(draw() * 3) }, () => node(depth + 1, negated)) };
    if (depth < 3 && r < 0.6) return { not: node(depth + 1, !negated) } as NestedCondition;
    const fact = pick(draw, facts);
    const others = facts.filter((f) => f !== fact);
    // Fact against fact only where the two move the condition in opposite ways (a > b rises in a, falls in b).
    const against = others.filter((o) => !monotone || rising.get(o) !== rising.get(fact));
    const value = against.length > 0 && draw() < 0.25 ? { fact: pick(draw, against) } : Math.floor(draw() * 13);
    if (!monotone) {
      const operator = pick(draw, ['greaterThan', 'greaterThanInclusive', 'lessThan', 'lessThanInclusive', 'equal', 'notEqual']);
      return { fact, operator, value } as NestedCondition;
    }
    const up = rising.get(fact) !== negated;
    const operator = up ? pick(draw, ['greaterThan', 'greaterThanInclusive']) : pick(draw, ['lessThan', 'lessThanInclusive']);
    return { fact, operator, value } as NestedCondition;
  };
  const root = node(0, false);
  return 'all' in root || 'any' in root ? root : { all: [root] };
}
