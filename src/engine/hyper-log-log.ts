// Globals used per event are read once here: in a vm context (jest runs the tests in one) every
// global lookup costs about 100 ns, which made the per-event path five times slower there.
const clz32 = Math.clz32;

/** 2^-r for every value a one-byte register can hold: the estimate's sum reads a table instead of computing a power per register. */
const INVERSE_POWERS = Float64Array.from({ length: 256 }, (_, r) => 2 ** -r);

/**
 * HyperLogLog cardinality sketch (Flajolet et al. 2007, with the small-range correction):
 * 2^precision one-byte registers, standard error about 1.04 / sqrt(2^precision) — 1.6% at the
 * default precision 12, in 4 KiB whatever the number of distinct values.
 */
export class HyperLogLog {
  readonly registers: Uint8Array;

  constructor(
    readonly precision = 12,
    registers?: Uint8Array,
  ) {
    this.registers = registers ?? new Uint8Array(1 << precision);
  }

  /** Adds a value by its 32-bit hash. */
  add(hash: number): void {
    const index = hash >>> (32 - this.precision);
    // The rank is the position of the first 1 bit in the remaining bits (1-based).
    const rest = (hash << this.precision) >>> 0;
    const rank = rest === 0 ? 32 - this.precision + 1 : clz32(rest) + 1;
    if (rank > this.registers[index]) this.registers[index] = rank;
  }

  estimate(): number {
    const registers = this.registers;
    const m = registers.length;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      const r = registers[i];
      sum += INVERSE_POWERS[r];
      if (r === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / m);
    const raw = (alpha * m * m) / sum;
    // Linear counting is more accurate while many registers are still empty.
    if (raw <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
    return Math.round(raw);
  }
}
