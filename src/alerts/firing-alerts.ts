import type { Alert } from '../interfaces/alert';

/**
 * The firing alerts a sink must keep telling its receiver about, by dedup key, bounded in count
 * (at `max`, a new group is not remembered and `remember` is false) and in age (`forgetBefore`).
 */
export class FiringAlerts {
  private readonly byKey = new Map<string, { alert: Alert; seenAt: number }>();

  constructor(private readonly max: number) {}

  /** Takes `alert` as its group's latest firing, seen at `now` (a repeat replaces the one before); false when full. */
  remember(alert: Alert, now: number): boolean {
    if (!this.byKey.has(alert.dedupKey) && this.byKey.size >= this.max) return false;
    this.byKey.set(alert.dedupKey, { alert, seenAt: now });
    return true;
  }

  forget(dedupKey: string): void {
    this.byKey.delete(dedupKey);
  }

  /** Forgets the alerts last seen before `time`; returns how many. */
  forgetBefore(time: number): number {
    let n = 0;
    for (const [key, { seenAt }] of this.byKey)
      if (seenAt < time) {
        this.byKey.delete(key);
        n++;
      }
    return n;
  }

  get size(): number {
    return this.byKey.size;
  }

  alerts(): Alert[] {
    return [...this.byKey.values()].map((e) => e.alert);
  }
}
