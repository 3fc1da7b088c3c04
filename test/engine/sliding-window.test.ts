import { DistinctCounter } from '../../src/engine/distinct-counter';
import { HyperLogLog } from '../../src/engine/hyper-log-log';
import { sliceMsOf, SlidingWindow, type DistinctScratch } from '../../src/engine/sliding-window';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { FIELD_GETTERS } from '../../src/rules/field-getters';
import { seededRandom } from '../support/random-conditions';
import { ev } from '../support/rules';

const getters = [FIELD_GETTERS.rport];
const counter = () => new DistinctCounter(256);
const scratch = (): DistinctScratch => ({ list: [], set: new Set(), sketch: new HyperLogLog() });
const at = (slice: number, rport: number): TcpEvent => ev({ kind: 'rst_sent', ts: slice * 1000 + 1, rport });

describe('sliceMsOf', () => {
  it.each([
    [10_000, 1000],
    [60_000, 6000],
    [1000, 100],
    [500, 100],
    [250, 125],
    [50, 50],
    [1234, 617],
  ])('a %i ms window has %i ms slices: a tenth, at least 100 ms, dividing the window', (windowMs, sliceMs) => {
    expect(sliceMsOf(windowMs)).toBe(sliceMs);
    expect(windowMs % sliceMs).toBe(0);
  });
});

describe('SlidingWindow', () => {
  it('keeps only slices with events, in order, and sums the ones inside a span', () => {
    const w = new SlidingWindow('h', 1);
    for (const [slice, n] of [[3, 2], [5, 1], [4, 3]] as const) for (let i = 0; i < n; i++) w.add(at(slice, i), slice, 10_000, getters, counter);
    expect(w.ring).toEqual([3, 2, 4, 3, 5, 1]);
    expect(w.count(4, 6)).toBe(4);
    expect(w.dirtyFrom).toBe(3);
    w.judged(5);
    expect(w.dirtyFrom).toBe(5);
    expect(w.trim(4, () => undefined)).toBe(2);
    expect(w.ring).toEqual([4, 3, 5, 1]);
  });

  it('merges distinct values over slices exactly, and through sketches once a slice holds one', () => {
    const w = new SlidingWindow('h', 1);
    // Slices 0..2 share ports 0..9; slice 2 also has 20..49.
    for (let s = 0; s < 3; s++) for (let p = 0; p < 10; p++) w.add(at(s, p), s, 10_000, getters, counter);
    for (let p = 20; p < 50; p++) w.add(at(2, p), 2, 10_000, getters, counter);
    expect(w.distinctCount(0, 0, 2, scratch())).toBe(10);
    expect(w.distinctCount(0, 0, 3, scratch())).toBe(40);
    // 300 more values in slice 3 make it a sketch: the merge is an estimate within a few percent.
    for (let p = 1000; p < 1300; p++) w.add(at(3, p), 3, 10_000, getters, counter);
    const estimate = w.distinctCount(0, 0, 4, scratch());
    expect(Math.abs(estimate - 340) / 340).toBeLessThan(0.05);
  });

  it('keeps a span of many values up to date as slices enter, leave and take late values, equal to a full merge', () => {
    const kept = new SlidingWindow('h', 1);
    const merged = new SlidingWindow('h', 1);
    const space = scratch();
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let k = 1; k < 40; k++) {
      // Events for the slice being filled, some late ones for slices already judged, a few for the next.
      for (let i = 0; i < 30; i++) {
        const slice = k - 1 - (i % 5 === 0 ? random(4) : 0) + (i % 11 === 0 ? 1 : 0);
        const e = at(slice, random(120));
        kept.add(e, slice, 10_000, getters, counter);
        merged.add(e, slice, 10_000, getters, counter);
      }
      kept.trim(k - 10, () => undefined);
      merged.trim(k - 10, () => undefined);
      expect(kept.distinctCount(0, k - 10, k, space, true)).toBe(merged.distinctCount(0, k - 10, k, space, false));
    }
  });

  it('keeps a span of many values up to date as events land in its newest slice between looks, equal to a full merge (seeded)', () => {
    const exact = () => new DistinctCounter(256);
    const random = seededRandom(31);
    for (let run = 0; run < 20; run++) {
      const kept = new SlidingWindow('h', 1);
      const merged = new SlidingWindow('h', 1);
      const space = scratch();
      for (let k = 1; k < 40; k++) {
        // Looks into the open slice k - 1 (events come in between), then the judgement at boundary k.
        const looks = 1 + Math.floor(random() * 4);
        for (let look = 0; look < looks; look++) {
          const events = Math.floor(random() ** 2 * 200);
          for (let i = 0; i < events; i++) {
            // Mostly the open slice; some late ones for slices already judged, a few for the next.
            const r = random();
            const slice = r < 0.05 ? k - 1 - Math.floor(random() * 9) : r < 0.08 ? k : k - 1;
            const e = at(slice, Math.floor(random() * 300));
            kept.add(e, slice, 10_000, getters, exact);
            merged.add(e, slice, 10_000, getters, exact);
          }
          kept.trim(k - 10, () => undefined);
          merged.trim(k - 10, () => undefined);
          expect(kept.distinctCount(0, k - 10, k, space, true)).toBe(merged.distinctCount(0, k - 10, k, space, false));
        }
      }
    }
  });
});

describe('SlidingWindow.sizes', () => {
  // Judgements read the slices' sizes, not the counters: each must be its counter's exact count,
  // or -1 once the counter is a sketch, through every way a window changes.
  const agrees = (w: SlidingWindow): string[] =>
    w.distinct.flatMap((c, i) => {
      const expected = c.sketch ? -1 : c.size;
      return w.sizes[i] === expected ? [] : [`counter ${i}: size ${w.sizes[i]}, counter says ${expected}`];
    });

  it.each([1, 2])('equal each counter exact count, or -1 for a sketch, through adds, late slices, spans, trims, reuse and a state load (seed %i)', (seed) => {
    const draw = seededRandom(seed);
    const space = scratch();
    const w = new SlidingWindow('h', 1);
    const mismatches: string[] = [];
    let sketches = 0;
    for (let round = 0; round < 3; round++) {
      for (let k = 1; k < 30; k++) {
        for (let i = 0; i < 80; i++) {
          // Mostly the open slice, some late ones (inserted before newer slices), now and then a flood of new values.
          const r = draw();
          const slice = r < 0.1 ? Math.max(0, k - 1 - Math.floor(draw() * 8)) : k - 1;
          const port = draw() < 0.02 ? 10_000 + Math.floor(draw() * 1e6) : Math.floor(draw() * 200);
          w.add(at(slice, port), slice, 10_000, getters, counter);
        }
        if (k % 7 === 0) for (let p = 0; p < 400; p++) w.add(at(k - 1, 50_000 + p), k - 1, 10_000, getters, counter);
        // The kept span (judged with `keep`) makes later adds take the spanned path.
        w.distinctCount(0, k - 10, k, space, true);
        w.trim(k - 10, () => undefined);
        mismatches.push(...agrees(w));
        sketches += w.sizes.filter((size) => size < 0).length;
      }
      const loaded = new SlidingWindow('h', 1);
      loaded.load(w.toState(), 256);
      mismatches.push(...agrees(loaded));
      w.clear('h', () => undefined);
      expect(w.sizes).toEqual([]);
    }
    expect(mismatches).toEqual([]);
    expect(sketches).toBeGreaterThan(0);
  });
});

describe('SlidingWindow.distinctRange', () => {
  // The range is what RuleRuntime judges a rule on before merging: the merged count must lie in
  // it for every window, exact or sketched (a sketch past the exact limit gives 0 to Infinity).
  it.each([1, 2, 3])('holds the merged distinct count of every window (seed %i)', (seed) => {
    const draw = seededRandom(seed);
    const lo = new Float64Array(1);
    const hi = new Float64Array(1);
    const outside: string[] = [];
    let narrow = 0;
    let sketched = 0;
    for (let round = 0; round < 40; round++) {
      const w = new SlidingWindow('h', 1);
      const ports = 1 + Math.floor(draw() * 1000);
      for (let slice = 0; slice < 12; slice++) {
        // Now and then a slice past the exact limit (256 values): a sketch.
        const events = draw() < 0.05 ? 600 : Math.floor(draw() * 60);
        for (let i = 0; i < events; i++) w.add(at(slice, Math.floor(draw() * ports)), slice, 10_000, getters, counter);
      }
      for (let from = 0; from < 12; from++) {
        const to = from + 1 + Math.floor(draw() * 10);
        const merged = w.distinctCount(0, from, to, scratch());
        w.distinctRange(0, from, to, lo, hi, 0);
        if (!(lo[0] <= merged && merged <= hi[0])) outside.push(`[${from}, ${to}): ${merged} not in [${lo[0]}, ${hi[0]}]`);
        if (hi[0] < Infinity && hi[0] > lo[0]) narrow++;
        if (hi[0] === Infinity) sketched++;
      }
    }
    expect(outside).toEqual([]);
    expect(narrow).toBeGreaterThan(100);
    expect(sketched).toBeGreaterThan(10);
  });
});
