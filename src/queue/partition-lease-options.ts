/** Options of PartitionLeases: how many partitions, how long a lease lasts, and what to do when one is won or given up. */
export interface PartitionLeaseOptions {
  partitions: number;
  /** Lease lifetime: a dead worker's partitions move after at most this long (plus one renewal period). Default 10,000 ms. */
  ttlMs?: number;
  /** Called when a partition is won: start consuming it. */
  onAcquire(partition: number): Promise<void>;
  /**
   * Called before a partition is given up (`lost` false: finish the batch in hand) and after its
   * lease was lost (`lost` true: stop at once; the batch in hand goes to the next owner).
   */
  onRelease(partition: number, lost: boolean): Promise<void>;
  workerId?: string;
}
