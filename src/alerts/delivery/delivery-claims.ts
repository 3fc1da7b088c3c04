import type { Deadline } from '../../lifecycle/deadline';

/**
 * Remembers which (sink, alert id) pairs were queued, so an alert handed over twice (the queue
 * upstream is at-least-once) is delivered once. A claim is taken before the job is queued and
 * confirmed after; `claim` is true the first time only.
 */
export interface DeliveryClaims {
  claim(sinkId: string, alertId: string): Promise<boolean>;
  /** The job is queued: keep the claim for the full dedup time. */
  confirm(sinkId: string, alertId: string): Promise<void>;
  /** Undo a claim whose job could not be queued, so a later hand-over can try again. */
  release(sinkId: string, alertId: string): Promise<void>;
  /** Closes its connection (when it owns one) by `deadline`. */
  close(deadline?: Deadline): Promise<void>;
}
