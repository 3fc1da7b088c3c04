import { HyperLogLog } from '../../src/engine/hyper-log-log';
import { SketchUnion } from '../../src/engine/sketch-union';
import { seededRandom } from '../support/random-conditions';

/** A sketch of `n` random 32-bit hashes. */
function randomSketch(random: () => number, n: number): HyperLogLog {
  const s = new HyperLogLog();
  for (let i = 0; i < n; i++) s.add((random() * 2 ** 32) >>> 0);
  return s;
}

describe('SketchUnion', () => {
  it('estimates exactly what HyperLogLog estimates on the merged registers, as sketches and hashes join (seeded)', () => {
    const random = seededRandom(21);
    for (let draw = 0; draw < 60; draw++) {
      const union = new SketchUnion();
      const merged = new HyperLogLog();
      const joins = 1 + Math.floor(random() * 8);
      for (let j = 0; j < joins; j++) {
        // Sizes from empty to far past the small-range correction's switch.
        const n = Math.floor(random() ** 3 * 40_000);
        if (random() < 0.5) {
          const s = randomSketch(random, n);
          union.maxWith(s.registers);
          merged.maxWith(s.registers);
        } else {
          for (let i = 0; i < n; i++) {
            const h = (random() * 2 ** 32) >>> 0;
            union.add(h);
            merged.add(h);
          }
        }
        expect(union.estimate()).toBe(merged.estimate());
      }
      expect(union.registers).toEqual(merged.registers);
    }
  });

  it('estimates its union with one more sketch, and is left as it was (seeded)', () => {
    const random = seededRandom(22);
    for (let draw = 0; draw < 60; draw++) {
      const union = new SketchUnion();
      const base = randomSketch(random, Math.floor(random() ** 2 * 20_000));
      union.maxWith(base.registers);
      const before = Uint8Array.from(union.registers);
      const extra = randomSketch(random, Math.floor(random() ** 2 * 20_000));
      const merged = new HyperLogLog();
      merged.maxWith(base.registers);
      merged.maxWith(extra.registers);
      expect(union.estimateWith({ mergeInto: (t) => t.maxWith(extra.registers) })).toBe(merged.estimate());
      expect(union.registers).toEqual(before);
      expect(union.estimate()).toBe(base.estimate());
    }
  });

  it('starts over empty on clear', () => {
    const union = new SketchUnion();
    union.maxWith(randomSketch(seededRandom(23), 5_000).registers);
    union.clear();
    expect(union.estimate()).toBe(new HyperLogLog().estimate());
    expect(union.estimate()).toBe(0);
  });
});
