/** What a capped map holds: `touched` is set on use and cleared by the eviction sweep. */
export interface Touchable {
  touched: boolean;
}

/**
 * A Map with at most `cap` entries that evicts the least recently used one, approximated by the
 * CLOCK (second chance) algorithm: a hit only sets a flag, instead of re-inserting the entry on
 * every event as an exact LRU on a Map would. An entry that was used since the sweep last passed
 * it is moved to the back once; `pinned` entries (e.g. firing alerts) are never evicted unless
 * every entry is pinned. Evictions are counted, and reported through `onEvict`.
 */
export class CappedMap<V extends Touchable> {
  readonly entries = new Map<string, V>();
  evictions = 0;

  constructor(
    private readonly cap: number,
    private readonly onEvict: (key: string, value: V) => void = () => undefined,
    private readonly pinned: (value: V) => boolean = () => false,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const v = this.entries.get(key);
    if (v) v.touched = true;
    return v;
  }

  set(key: string, value: V): void {
    if (!this.entries.has(key) && this.entries.size >= this.cap) this.evictOne();
    this.entries.set(key, value);
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  private evictOne(): void {
    // Each entry gets at most one second chance per sweep, so this ends within 2 * size steps.
    for (let step = 0, limit = 2 * this.entries.size; step <= limit; step++) {
      const [key, value] = this.entries.entries().next().value as [string, V];
      this.entries.delete(key);
      if ((value.touched || this.pinned(value)) && step < limit) {
        value.touched = false;
        this.entries.set(key, value);
        continue;
      }
      this.evictions++;
      this.onEvict(key, value);
      return;
    }
  }
}
