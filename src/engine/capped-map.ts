/** What a capped map holds: `touched` is set on use and cleared by the eviction sweep. */
export interface Touchable {
  touched: boolean;
}

/**
 * A map with at most `cap` entries that evicts the least recently used one, approximated by the
 * CLOCK (second chance) algorithm: a hit only sets a flag, and a hand sweeps the slots in a ring,
 * clearing flags and evicting the first entry not used since its last pass. Entries live in
 * arrays with an index Map: evicting from the front of a JS Map would walk the holes left by
 * earlier deletions, quadratic under a flood of new keys. `pinned` entries (firing alerts) are
 * passed over unless every entry is pinned. Evictions are counted and reported through `onEvict`.
 */
export class CappedMap<V extends Touchable> {
  private readonly index = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly values_: V[] = [];
  private hand = 0;
  evictions = 0;

  constructor(
    private readonly cap: number,
    private readonly onEvict: (key: string, value: V) => void = () => undefined,
    private readonly pinned: (value: V) => boolean = () => false,
  ) {}

  get size(): number {
    return this.keys.length;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  get(key: string): V | undefined {
    const i = this.index.get(key);
    if (i === undefined) return undefined;
    const v = this.values_[i];
    v.touched = true;
    return v;
  }

  set(key: string, value: V): void {
    const existing = this.index.get(key);
    if (existing !== undefined) {
      this.values_[existing] = value;
      return;
    }
    if (this.keys.length < this.cap) {
      this.index.set(key, this.keys.length);
      this.keys.push(key);
      this.values_.push(value);
      return;
    }
    const slot = this.victim();
    const old = this.values_[slot];
    this.index.delete(this.keys[slot]);
    this.evictions++;
    this.onEvict(this.keys[slot], old);
    this.keys[slot] = key;
    this.values_[slot] = value;
    this.index.set(key, slot);
  }

  delete(key: string): boolean {
    const i = this.index.get(key);
    if (i === undefined) return false;
    this.index.delete(key);
    const last = this.keys.length - 1;
    if (i !== last) {
      // Fill the hole with the last slot so the ring stays dense.
      this.keys[i] = this.keys[last];
      this.values_[i] = this.values_[last];
      this.index.set(this.keys[i], i);
    }
    this.keys.pop();
    this.values_.pop();
    if (this.hand >= this.keys.length) this.hand = 0;
    return true;
  }

  clear(): void {
    this.index.clear();
    this.keys.length = 0;
    this.values_.length = 0;
    this.hand = 0;
  }

  /** The values in slot order, for a scan without allocation; valid until the map changes. */
  values(): readonly V[] {
    return this.values_;
  }

  *[Symbol.iterator](): IterableIterator<[string, V]> {
    for (let i = 0; i < this.keys.length; i++) yield [this.keys[i], this.values_[i]];
  }

  /** The slot to evict: each entry gets one second chance per pass, so this ends within two passes. */
  private victim(): number {
    const n = this.keys.length;
    for (let step = 0; step < 2 * n; step++) {
      const slot = this.hand;
      this.hand = (this.hand + 1) % n;
      const v = this.values_[slot];
      if (this.pinned(v)) continue;
      if (!v.touched) return slot;
      v.touched = false;
    }
    // Everything is pinned: evict where the hand stands.
    const slot = this.hand;
    this.hand = (this.hand + 1) % n;
    return slot;
  }
}
