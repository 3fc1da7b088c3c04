import { DistinctCounter } from '../../src/engine/distinct-counter';

describe('DistinctCounter', () => {
  it('counts exactly up to its limit, through the small array and the set', () => {
    const c = new DistinctCounter(256);
    for (let i = 0; i < 1000; i++) c.add(i % 200);
    c.add(undefined);
    expect(c.size).toBe(200);
    expect(c.toState()).toEqual({ exact: Array.from({ length: 200 }, (_, i) => i) });
  });

  it('switches to a HyperLogLog past the limit, within 3% at a million values', () => {
    const c = new DistinctCounter(256);
    for (let i = 0; i < 1_000_000; i++) c.add(`10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`);
    expect(Math.abs(c.size - 1_000_000) / 1_000_000).toBeLessThan(0.03);
    expect('hll' in c.toState()).toBe(true);
  });

  it('keeps an estimate close just past the switch (small-range correction)', () => {
    const c = new DistinctCounter(256);
    for (let i = 0; i < 1_000; i++) c.add(i);
    expect(Math.abs(c.size - 1_000)).toBeLessThan(30);
  });

  it('survives a JSON round trip in both modes, and resets for reuse', () => {
    for (const n of [10, 5_000]) {
      const c = new DistinctCounter(256);
      for (let i = 0; i < n; i++) c.add(`v${i}`);
      const back = DistinctCounter.fromState(JSON.parse(JSON.stringify(c.toState())), 256);
      expect(back.size).toBe(c.size);
      back.add('new-value-0');
      back.reset();
      expect(back.size).toBe(0);
    }
  });
});
