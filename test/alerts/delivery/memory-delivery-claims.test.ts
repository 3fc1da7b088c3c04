import { MemoryDeliveryClaims } from '../../../src/alerts/delivery/memory-delivery-claims';

test('a claim holds per (sink, alert) until it expires or is released; the oldest go beyond the cap', async () => {
  let now = 0;
  const claims = new MemoryDeliveryClaims(1000, 2, () => now);
  expect(await claims.claim('s', 'a')).toBe(true);
  expect(await claims.claim('s', 'a')).toBe(false);
  expect(await claims.claim('other', 'a')).toBe(true);
  now = 1000;
  expect(await claims.claim('s', 'a')).toBe(true);
  await claims.release('s', 'a');
  expect(await claims.claim('s', 'a')).toBe(true);
  await claims.claim('s', 'b');
  await claims.claim('s', 'c');
  // Cap 2: ('s','a') was the oldest left and is forgotten.
  expect(await claims.claim('s', 'a')).toBe(true);
});
