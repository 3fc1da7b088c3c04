import { CappedMap } from '../../src/engine/capped-map';

const item = (pinned = false) => ({ touched: false, pinned });

describe('CappedMap', () => {
  it('evicts an entry not used since the sweep last passed, keeping used ones', () => {
    const evicted: string[] = [];
    const m = new CappedMap<ReturnType<typeof item>>(3, (k) => evicted.push(k));
    m.set('a', item());
    m.set('b', item());
    m.set('c', item());
    m.get('a');
    m.set('d', item());
    expect(evicted).toEqual(['b']);
    expect([...m].map(([k]) => k).sort()).toEqual(['a', 'c', 'd']);
    expect(m.evictions).toBe(1);
  });

  it('never evicts pinned entries while others remain', () => {
    const m = new CappedMap<ReturnType<typeof item>>(2, undefined, (v) => v.pinned);
    m.set('firing', item(true));
    for (let i = 0; i < 100; i++) m.set(`k${i}`, item());
    expect(m.has('firing')).toBe(true);
    expect(m.size).toBe(2);
    expect(m.evictions).toBe(99);
  });

  it('deletes from the middle and keeps working', () => {
    const m = new CappedMap<ReturnType<typeof item>>(3);
    for (const k of ['a', 'b', 'c']) m.set(k, item());
    expect(m.delete('a')).toBe(true);
    expect(m.delete('a')).toBe(false);
    m.set('d', item());
    expect([...m].map(([k]) => k).sort()).toEqual(['b', 'c', 'd']);
    expect(m.get('c')?.touched).toBe(true);
    m.clear();
    expect(m.size).toBe(0);
  });
});
