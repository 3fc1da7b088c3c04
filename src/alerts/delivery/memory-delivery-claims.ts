import type { DeliveryClaims } from './delivery-claims';

/** In-process claims: each kept for `ttlMs`, at most `maxEntries` (oldest forgotten first) so memory stays bounded. */
export class MemoryDeliveryClaims implements DeliveryClaims {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(sinkId: string, alertId: string): Promise<boolean> {
    const key = `${sinkId}\n${alertId}`;
    const t = this.now();
    const expiry = this.expiries.get(key);
    if (expiry !== undefined && expiry > t) return false;
    this.expiries.delete(key);
    this.expiries.set(key, t + this.ttlMs);
    // A Map iterates in insertion order: the first key is the oldest claim.
    while (this.expiries.size > this.maxEntries) this.expiries.delete(this.expiries.keys().next().value as string);
    return true;
  }

  /** Nothing to do: in one process a claim cannot outlive a failed queueing unnoticed; it is taken for the full time. */
  async confirm(): Promise<void> {}

  async release(sinkId: string, alertId: string): Promise<void> {
    this.expiries.delete(`${sinkId}\n${alertId}`);
  }

  async close(): Promise<void> {
    this.expiries.clear();
  }
}
