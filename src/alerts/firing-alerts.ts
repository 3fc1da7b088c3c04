import type { Alert } from '../interfaces/alert';

/**
 * The firing alerts a sink must keep telling its receiver about, by dedup key, bounded: at
 * `max`, a new group is not remembered (`remember` is false) and memory stays put.
 */
export class FiringAlerts {
  private readonly byKey = new Map<string, Alert>();

  constructor(private readonly max: number) {}

  /** Takes `alert` as its group's latest firing (a repeat replaces the one before); false when full. */
  remember(alert: Alert): boolean {
    if (!this.byKey.has(alert.dedupKey) && this.byKey.size >= this.max) return false;
    this.byKey.set(alert.dedupKey, alert);
    return true;
  }

  forget(dedupKey: string): void {
    this.byKey.delete(dedupKey);
  }

  get size(): number {
    return this.byKey.size;
  }

  alerts(): Alert[] {
    return [...this.byKey.values()];
  }
}
