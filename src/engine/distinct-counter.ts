import { emptyArray } from './empty-array';
import { hash32 } from './hash32';
import { HyperLogLog } from './hyper-log-log';
import { NumberSet } from './number-set';

/** A distinct counter as plain JSON (engine state export). */
export type DistinctCounterState = { exact: Array<string | number> } | { hll: string; precision: number };

/**
 * Values kept in a plain array before a Set: most groups see few values per slice, and a short
 * array scan beats a Set's inserts and allocations (a recycled Set's clear() drops its table, so it
 * grows again each slice). 64 rather than 16: in the rules-engine benchmark, slices of 20 to 60
 * values were the Sets' main users, and the engine ran 10-20% faster with 64. Numbers go on to a
 * NumberSet, which keeps its storage: with it, 64 still beat 16 (3-16% in the same benchmark).
 */
const SMALL = 64;

/** The exact values past the plain array: a NumberSet for a numeric field, a Set for a string one. */
interface ExactValues extends Iterable<string | number> {
  readonly size: number;
  add(value: string | number): unknown;
  clear(): void;
  forEach(fn: (value: string | number) => void): void;
}

/**
 * Counts the distinct values of one field in one slice of a group's window: exactly while there are at
 * most `exactLimit` values (small sets are the common case and thresholds like "20 ports" need
 * exact answers), then in a HyperLogLog, so a flood of spoofed addresses costs a fixed 4 KiB.
 */
export class DistinctCounter {
  private small: Array<string | number> | undefined = [];
  private exact: ExactValues | undefined;
  private sketchOf: HyperLogLog | undefined;
  /**
   * The forms this counter outgrew, kept for its next use: a counter is recycled for another slice
   * every second or so, and a busy slice outgrows the array and the Set each time.
   */
  private spareSmall: Array<string | number> | undefined;
  private spareSet: Set<string | number> | undefined;
  private spareNumbers: NumberSet | undefined;
  private spareSketch: HyperLogLog | undefined;

  constructor(private readonly exactLimit: number) {}

  /** Counts `value`; true when it is new here and the values are still exact. */
  add(value: string | number | undefined): boolean {
    if (value === undefined) return false;
    const small = this.small;
    if (small) {
      if (small.includes(value)) return false;
      if (small.length < SMALL && small.length < this.exactLimit) {
        small.push(value);
        return true;
      }
      const exact = this.takeExact(typeof value === 'number');
      for (let i = 0; i < small.length; i++) exact.add(small[i]);
      this.spareSmall = small;
      this.small = undefined;
    }
    const exact = this.exact;
    if (exact) {
      const before = exact.size;
      exact.add(value);
      if (exact.size > this.exactLimit) {
        const sketch = this.spareSketch ?? new HyperLogLog();
        this.spareSketch = undefined;
        exact.forEach((v) => sketch.add(hash32(v)));
        this.sketchOf = sketch;
        this.spareExact(exact);
        return false;
      }
      return exact.size > before;
    }
    (this.sketchOf as HyperLogLog).add(hash32(value));
    return false;
  }

  /**
   * Counts a value known not to be here (a span said so), skipping the search; true while the
   * values are still exact. A full array goes through `add`, which moves it to a Set or a NumberSet.
   */
  addNew(value: string | number): boolean {
    const small = this.small;
    if (small && small.length < SMALL && small.length < this.exactLimit) {
      small.push(value);
      return true;
    }
    return this.add(value);
  }

  /**
   * Marks each exact value as last seen in `slice` (a span's value -> last slice map). The array
   * and the Set are walked apart, the Set with forEach: a `for...of` over either allocated an
   * iterator result per value (the engine's largest source of garbage in its benchmark).
   */
  enterSpan(lastSlice: Map<string | number, number>, slice: number): void {
    const small = this.small;
    if (small) for (let i = 0; i < small.length; i++) lastSlice.set(small[i], slice);
    else this.exact?.forEach((v) => lastSlice.set(v, slice));
  }

  /** Forgets, in a span's value -> last slice map, the exact values whose last slice is `slice` (leaving the window). */
  leaveSpan(lastSlice: Map<string | number, number>, slice: number): void {
    const small = this.small;
    if (small) {
      for (let i = 0; i < small.length; i++) if (lastSlice.get(small[i]) === slice) lastSlice.delete(small[i]);
    } else {
      this.exact?.forEach((v) => {
        if (lastSlice.get(v) === slice) lastSlice.delete(v);
      });
    }
  }

  /** Forgets every value, for reuse by another slice or group; the outgrown forms stay for reuse. */
  reset(): void {
    if (!this.small) {
      this.small = this.spareSmall ?? [];
      this.spareSmall = undefined;
    }
    emptyArray(this.small);
    if (this.exact) this.spareExact(this.exact);
    if (this.sketchOf) {
      this.sketchOf.registers.fill(0);
      this.spareSketch = this.sketchOf;
      this.sketchOf = undefined;
    }
  }

  /** The exact form for values past the plain array (a spare one if there is). */
  private takeExact(numbers: boolean): ExactValues {
    let exact: ExactValues;
    if (numbers) {
      exact = this.spareNumbers ?? new NumberSet();
      this.spareNumbers = undefined;
    } else {
      exact = this.spareSet ?? new Set();
      this.spareSet = undefined;
    }
    this.exact = exact;
    return exact;
  }

  /** Empties the exact form and keeps it for this counter's next use. */
  private spareExact(exact: ExactValues): void {
    exact.clear();
    if (exact instanceof NumberSet) this.spareNumbers = exact;
    else this.spareSet = exact as Set<string | number>;
    this.exact = undefined;
  }

  /** Whether the values are a sketch now (a merge with it can only be a sketch). */
  get sketch(): boolean {
    return this.sketchOf !== undefined;
  }

  /** Appends the exact values not in `list` yet (only while exact): cheaper than a Set for a few values. */
  addNewTo(list: Array<string | number>): void {
    const small = this.small;
    if (small) {
      for (let i = 0; i < small.length; i++) if (!list.includes(small[i])) list.push(small[i]);
    } else {
      this.exact?.forEach((v) => {
        if (!list.includes(v)) list.push(v);
      });
    }
  }

  /** Adds the exact values to `set` (only while exact). */
  addTo(set: Set<string | number>): void {
    const small = this.small;
    if (small) for (let i = 0; i < small.length; i++) set.add(small[i]);
    else this.exact?.forEach((v) => set.add(v));
  }

  /** Merges the values into `sketch`: register-wise maximum, or each exact value hashed. */
  mergeInto(sketch: HyperLogLog): void {
    if (this.sketchOf) {
      const from = this.sketchOf.registers;
      const to = sketch.registers;
      for (let i = 0; i < to.length; i++) if (from[i] > to[i]) to[i] = from[i];
      return;
    }
    const small = this.small;
    if (small) for (let i = 0; i < small.length; i++) sketch.add(hash32(small[i]));
    else this.exact?.forEach((v) => sketch.add(hash32(v)));
  }

  get size(): number {
    if (this.small) return this.small.length;
    return this.exact ? this.exact.size : (this.sketchOf as HyperLogLog).estimate();
  }

  toState(): DistinctCounterState {
    if (this.small) return { exact: [...this.small] };
    if (this.exact) return { exact: [...this.exact] };
    const hll = this.sketchOf as HyperLogLog;
    return { hll: Buffer.from(hll.registers).toString('base64'), precision: hll.precision };
  }

  static fromState(state: DistinctCounterState, exactLimit: number): DistinctCounter {
    const c = new DistinctCounter(exactLimit);
    if ('exact' in state) for (const v of state.exact) c.add(v);
    else {
      c.small = undefined;
      c.sketchOf = new HyperLogLog(state.precision, new Uint8Array(Buffer.from(state.hll, 'base64')));
    }
    return c;
  }
}
