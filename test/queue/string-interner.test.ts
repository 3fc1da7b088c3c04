import { StringInterner } from '../../src/queue/string-interner';

describe('StringInterner', () => {
  it('leaves every value as it was, strings or not, across rebuilds', () => {
    const interner = new StringInterner(8);
    // Repeats, then all-new strings that fill the table (rebuilds), then the first ones again.
    const batches: unknown[][] = [
      ['10.0.0.1', 'rst_sent', 3, null, '10.0.0.1'],
      ['10.0.0.1', 'rst_sent', { a: 1 }, 'host-1'],
      ...Array.from({ length: 12 }, (_, b) => Array.from({ length: 5 }, (_, i) => `10.9.${b}.${i}`)),
      ['10.0.0.1', 'rst_sent', 'host-1'],
    ];
    for (const batch of batches) {
      const copy = [...batch];
      interner.internAll(copy);
      expect(copy).toEqual(batch);
    }
  });
});
