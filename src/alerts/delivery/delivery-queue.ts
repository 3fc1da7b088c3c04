import type { DeliveryJob } from './delivery-job';

/** Durable delivery of jobs to webhook sinks, with retries and a dead-letter list. */
export interface DeliveryQueue {
  /** Queues `job`; false (and nothing sent) when this sink already had this alert id. */
  enqueue(job: DeliveryJob): Promise<boolean>;
  /** Resolves once nothing is waiting, retrying or in flight (for tests and one-shot commands). */
  drained(): Promise<void>;
  close(): Promise<void>;
}
