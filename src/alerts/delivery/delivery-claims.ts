/**
 * Remembers which (sink, alert id) pairs were queued, so an alert handed over twice (the queue
 * upstream is at-least-once) is delivered once. `claim` is true the first time only.
 */
export interface DeliveryClaims {
  claim(sinkId: string, alertId: string): Promise<boolean>;
  /** Undo a claim whose job could not be queued, so a later hand-over can try again. */
  release(sinkId: string, alertId: string): Promise<void>;
  close(): Promise<void>;
}
