/**
 * Turns taken one at a time, first come first served: the scenarios of a file run concurrently,
 * but only the one holding the turn plays traffic, so a time to detect is measured without another
 * scenario's attack on the machine. A scenario ends its turn when only waiting is left.
 */
export interface Turn {
  /** Lets the next scenario start; ending a turn twice is harmless. */
  end(): void;
}

export class Turns {
  /** Settles when the current holder's turn ends (at once when nobody holds one). */
  private last: Promise<void> = Promise.resolve();

  /** Resolves when every turn taken before this one has ended. */
  async take(): Promise<Turn> {
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const previous = this.last;
    this.last = ended;
    await previous;
    return { end };
  }
}
