import { hash32 } from './hash32';
import { HyperLogLog } from './hyper-log-log';

/** A distinct counter as plain JSON (engine state export). */
export type DistinctCounterState = { exact: Array<string | number> } | { hll: string; precision: number };

/**
 * Counts the distinct values of one field in one window and group: exactly while there are at
 * most `exactLimit` values (small sets are the common case and thresholds like "20 ports" need
 * exact answers), then in a HyperLogLog, so a flood of spoofed addresses costs a fixed 4 KiB.
 */
export class DistinctCounter {
  private exact: Set<string | number> | undefined = new Set();
  private sketch: HyperLogLog | undefined;

  constructor(private readonly exactLimit: number) {}

  add(value: string | number | undefined): void {
    if (value === undefined) return;
    if (this.exact) {
      this.exact.add(value);
      if (this.exact.size > this.exactLimit) {
        this.sketch = new HyperLogLog();
        for (const v of this.exact) this.sketch.add(hash32(v));
        this.exact = undefined;
      }
    } else (this.sketch as HyperLogLog).add(hash32(value));
  }

  get size(): number {
    return this.exact ? this.exact.size : (this.sketch as HyperLogLog).estimate();
  }

  /** True once the count is an estimate. */
  get approximate(): boolean {
    return this.exact === undefined;
  }

  toState(): DistinctCounterState {
    if (this.exact) return { exact: [...this.exact] };
    const hll = this.sketch as HyperLogLog;
    return { hll: Buffer.from(hll.registers).toString('base64'), precision: hll.precision };
  }

  static fromState(state: DistinctCounterState, exactLimit: number): DistinctCounter {
    const c = new DistinctCounter(exactLimit);
    if ('exact' in state) for (const v of state.exact) c.add(v);
    else {
      c.exact = undefined;
      c.sketch = new HyperLogLog(state.precision, new Uint8Array(Buffer.from(state.hll, 'base64')));
    }
    return c;
  }
}
