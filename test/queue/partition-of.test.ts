import { partitionOf } from '../../src/queue/partition-of';

describe('partitionOf', () => {
  it('gives the FNV-1a value every process must agree on', () => {
    // FNV-1a 32 of "a" is 0xe40c292c; of "foobar" 0xbf9cf968 (published test vectors).
    expect(partitionOf('a', 2 ** 31)).toBe(0xe40c292c % 2 ** 31);
    expect(partitionOf('foobar', 1000)).toBe(0xbf9cf968 % 1000);
  });

  it('spreads keys over all partitions', () => {
    const seen = new Array(16).fill(0);
    for (let i = 0; i < 16000; i++) seen[partitionOf(`10.0.${i >> 8}.${i & 255}`, 16)]++;
    for (const n of seen) expect(n).toBeGreaterThan(700);
  });
});
