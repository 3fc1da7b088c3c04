import { estimateFrom, INVERSE_POWERS, type SketchTarget } from './hyper-log-log';

// Globals used per event are read once here (see hyper-log-log.ts).
const clz32 = Math.clz32;

/**
 * A HyperLogLog union (register-wise maximum) that keeps its estimate's sum of 2^-r and its
 * count of empty registers up to date as values and sketches join it, so its estimate, and the
 * estimate of its union with one more sketch (`estimateWith`), cost one pass over the joining
 * registers instead of a merge and a pass over all of them. The sum is exact (see estimateFrom),
 * so the estimates are those of HyperLogLog.estimate on the merged registers, to the bit.
 */
export class SketchUnion implements SketchTarget {
  readonly registers: Uint8Array;
  private sum: number;
  private zeros: number;
  /** While `estimateWith` looks: registers changed (index, old value), undone afterwards. */
  private undo: number[] | undefined;
  private readonly undoList: number[] = [];

  constructor(readonly precision = 12) {
    this.registers = new Uint8Array(1 << precision);
    this.sum = this.registers.length;
    this.zeros = this.registers.length;
  }

  clear(): void {
    this.registers.fill(0);
    this.sum = this.registers.length;
    this.zeros = this.registers.length;
  }

  add(hash: number): void {
    const index = hash >>> (32 - this.precision);
    // The rank is the position of the first 1 bit in the remaining bits (1-based), as HyperLogLog.add.
    const rest = (hash << this.precision) >>> 0;
    const rank = rest === 0 ? 32 - this.precision + 1 : clz32(rest) + 1;
    this.raise(index, rank);
  }

  maxWith(registers: Uint8Array): void {
    const own = this.registers;
    for (let i = 0; i < own.length; i++) if (registers[i] > own[i]) this.raise(i, registers[i]);
  }

  private raise(index: number, rank: number): void {
    const own = this.registers;
    const old = own[index];
    if (rank <= old) return;
    this.undo?.push(index, old);
    if (old === 0) this.zeros--;
    this.sum += INVERSE_POWERS[rank] - INVERSE_POWERS[old];
    own[index] = rank;
  }

  estimate(): number {
    return estimateFrom(this.sum, this.zeros, this.registers.length);
  }

  /** The estimate of this union with what `join` merges into it (a slice's counter), leaving this union as it was. */
  estimateWith(join: { mergeInto(target: SketchTarget): void }): number {
    const sum = this.sum;
    const zeros = this.zeros;
    const undo = (this.undo = this.undoList);
    join.mergeInto(this);
    const estimate = this.estimate();
    this.undo = undefined;
    const own = this.registers;
    // Popped rather than cut off: `length = 0` would drop the list's storage (see empty-array.ts).
    while (undo.length > 0) {
      const old = undo.pop() as number;
      own[undo.pop() as number] = old;
    }
    this.sum = sum;
    this.zeros = zeros;
    return estimate;
  }
}
