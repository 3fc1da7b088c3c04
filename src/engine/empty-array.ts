/**
 * Empties an array in place, keeping its backing store. `a.length = 0` drops the store and the
 * next push allocates a new one: for the group states and counters recycled under a flood (one
 * per event), that garbage doubled the RSS. Popping keeps the store (measured: 2,600 scavenges
 * against 2 for 25 million reuses of small arrays).
 */
export function emptyArray(a: unknown[]): void {
  while (a.length > 0) a.pop();
}

/** Removes the first `n` elements in place (a splice would allocate the removed ones' array). */
export function dropFirst(a: unknown[], n: number): void {
  if (n >= a.length) emptyArray(a);
  else for (let i = 0; i < n; i++) a.shift();
}

/**
 * An empty array whose storage already holds `capacity` elements like `filler` (numbers stay
 * unboxed doubles if `filler` is one). A first push on `[]` allocates room for 16 or 17: for a
 * flood of one-shot groups (10,000 per rule, a few arrays each), starting tight and keeping the
 * storage when emptied (`emptyArray`) costs a fraction of that.
 */
export function tightArray<T>(capacity: number, filler: T): T[] {
  const a: T[] = [];
  for (let i = 0; i < capacity; i++) a[i] = filler;
  emptyArray(a);
  return a;
}
