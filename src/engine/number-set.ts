import { emptyArray } from './empty-array';

const imul = Math.imul;

/** The smallest table: room for 8 values at half load. */
const MIN_BITS = 4;

/**
 * A value's first slot in a table of 2^(32 - shift): Fibonacci hashing (the top bits of a
 * product), with the high word folded in for numbers past 2^32.
 */
function firstSlot(value: number, shift: number): number {
  return imul((value | 0) ^ ((value / 4294967296) | 0), 0x9e3779b1) >>> shift;
}

/**
 * A set of numbers (ports, namespaces: a slice's distinct values of a numeric field), in the
 * subset of Set's interface DistinctCounter uses. The values sit in insertion order in an array,
 * found through an open-addressing table of their positions. Two reasons over a Set: emptying it
 * keeps its storage, where a recycled Set's clear() drops its table and grows it again through
 * every size each slice; and a lookup is a multiply and a few typed-array reads. (Strings stay in
 * Sets: V8 keeps a string's hash, which code here cannot read.)
 */
export class NumberSet {
  private readonly values: number[] = [];
  /** Per slot, a value's position + 1 (0: empty); at most half full. */
  private table = new Int32Array(1 << MIN_BITS);
  private shift = 32 - MIN_BITS;

  get size(): number {
    return this.values.length;
  }

  add(value: number): this {
    const slot = this.slotOf(value);
    if (this.table[slot] !== 0) return this;
    // + 0 turns -0 into 0, as a Set keeps it.
    this.values.push(value + 0);
    this.table[slot] = this.values.length;
    if (2 * this.values.length > this.table.length - 1) this.grow();
    return this;
  }

  has(value: number): boolean {
    return this.table[this.slotOf(value)] !== 0;
  }

  /** The slot holding `value`'s position, or else the empty slot where it would go. */
  private slotOf(value: number): number {
    const values = this.values;
    const table = this.table;
    const mask = table.length - 1;
    let slot = firstSlot(value, this.shift);
    for (let at = table[slot]; at !== 0 && values[at - 1] !== value; at = table[slot]) slot = (slot + 1) & mask;
    return slot;
  }

  /** Forgets every value; the array and the table keep their storage for the next slice. */
  clear(): void {
    emptyArray(this.values);
    this.table.fill(0);
  }

  forEach(fn: (value: number) => void): void {
    const values = this.values;
    for (let i = 0; i < values.length; i++) fn(values[i]);
  }

  [Symbol.iterator](): IterableIterator<number> {
    return this.values[Symbol.iterator]();
  }

  /** Doubles the table and places every value again. */
  private grow(): void {
    const table = new Int32Array(2 * this.table.length);
    const mask = table.length - 1;
    const shift = --this.shift;
    const values = this.values;
    for (let i = 0; i < values.length; i++) {
      let slot = firstSlot(values[i], shift);
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = i + 1;
    }
    this.table = table;
  }
}
