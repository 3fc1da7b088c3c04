/**
 * The same string object for the same text across batches, as far as a bounded table remembers.
 * Every batch read from Redis brings its own copies of the same addresses, kinds and host names:
 * the engine's maps hash each new copy again and compare it character by character with the key
 * they hold, and the copies its groups keep (alert samples) each take room in the old generation.
 * A string seen before is swapped for the first copy, whose hash V8 keeps: one lookup per
 * dictionary entry and batch, instead of one per event and rule.
 */
export class StringInterner {
  private table = new Map<string, string>();

  /** `limit`: strings kept before the table is dropped and rebuilt (it is only a cache). */
  constructor(private readonly limit: number) {}

  /** Replaces each string of `values` seen before by its first copy, in place. */
  internAll(values: unknown[]): void {
    if (this.table.size + values.length > this.limit) this.table = new Map();
    for (let k = 0; k < values.length; k++) {
      const s = values[k];
      if (typeof s !== 'string') continue;
      const known = this.table.get(s);
      if (known === undefined) this.table.set(s, s);
      else values[k] = known;
    }
  }
}
