/** murmur3's finalizer: spreads the bits of a 32-bit value so HyperLogLog's buckets and ranks are uniform. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A fast 32-bit hash of an event field value (FNV-1a over UTF-16 units, then fmix32); not cryptographic. */
export function hash32(value: string | number): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= -0x80000000 && value <= 0xffffffff) return fmix32(value | 0);
  const text = String(value);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}
