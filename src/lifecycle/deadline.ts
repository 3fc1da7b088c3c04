/**
 * One moment that every step of a stop shares: each step waits for its work only until then, so
 * the whole stop ends by it whatever Redis, a webhook receiver or the kernel do. A step whose
 * work is not done in time forces its way out (disconnects, aborts) and says what it left.
 */
export class Deadline {
  private constructor(readonly at: number) {}

  /** The deadline `ms` from now. */
  static after(ms: number): Deadline {
    return new Deadline(Date.now() + Math.max(0, ms));
  }

  /** Milliseconds left, never below 0. */
  remaining(): number {
    return Math.max(0, this.at - Date.now());
  }

  get passed(): boolean {
    return Date.now() >= this.at;
  }

  /**
   * Waits for `work` until the deadline: true when it settled (fulfilled or rejected) in time,
   * false when the deadline came first. A rejection is the caller's to observe on `work` itself;
   * here it only counts as settled, and never goes unhandled.
   */
  async settles(work: Promise<unknown>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    // A timer may fire a millisecond before the wall clock reaches `at` (libuv rounds its loop
    // time), so it re-arms until `passed` holds: false from here always means the deadline passed.
    const late = new Promise<boolean>((resolve) => {
      const check = (): void => {
        if (this.passed) resolve(false);
        else timer = setTimeout(check, Math.max(1, this.remaining()));
      };
      timer = setTimeout(check, this.remaining());
    });
    try {
      return await Promise.race([work.then(() => true, () => true), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
