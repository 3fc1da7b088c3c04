import { NumberSet } from '../../src/engine/number-set';
import { seededRandom } from '../support/random-conditions';

describe('NumberSet', () => {
  it.each([1, 2, 3])('holds what a Set holds, in insertion order, through growth and reuse (seed %i)', (seed) => {
    const draw = seededRandom(seed);
    const numbers = new NumberSet();
    for (let round = 0; round < 5; round++) {
      const reference = new Set<number>();
      // Ports, namespace inodes past 2^31, numbers past 2^32, negatives, and repeats.
      const pool = Array.from({ length: 1 + Math.floor(draw() * 600) }, () => {
        const r = draw();
        if (r < 0.5) return Math.floor(draw() * 65_536);
        if (r < 0.7) return 4_026_531_840 + Math.floor(draw() * 1000);
        if (r < 0.85) return 2 ** 40 + Math.floor(draw() * 1000) * 2 ** 32;
        return -Math.floor(draw() * 100);
      });
      for (let i = 0; i < 2 * pool.length; i++) {
        const v = pool[Math.floor(draw() * pool.length)];
        numbers.add(v);
        reference.add(v);
      }
      expect(numbers.size).toBe(reference.size);
      expect([...numbers]).toEqual([...reference]);
      const walked: number[] = [];
      numbers.forEach((v) => walked.push(v));
      expect(walked).toEqual([...reference]);
      expect(pool.filter((v) => numbers.has(v) !== reference.has(v))).toEqual([]);
      expect(numbers.has(0.5)).toBe(false);
      numbers.clear();
      expect(numbers.size).toBe(0);
      expect(pool.some((v) => numbers.has(v))).toBe(false);
    }
  });
});
