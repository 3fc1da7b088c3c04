import type { Deadline } from '../../lifecycle/deadline';
import type { DeliveryJob } from './delivery-job';

/** Durable delivery of jobs to webhook sinks, with retries and a dead-letter list. */
export interface DeliveryQueue {
  /** Queues `job`; false (and nothing sent) when this sink already had this alert id. */
  enqueue(job: DeliveryJob): Promise<boolean>;
  /** Resolves once nothing is waiting, retrying or in flight (for tests and one-shot commands). */
  drained(): Promise<void>;
  /**
   * Takes no more jobs and lets the attempts in flight finish until `deadline` (default 10 s from
   * now), then cuts them short. Resolves with the deliveries it did not finish: dead-lettered as
   * `shutdown` (in memory) or left queued in Redis for the next worker (BullMQ).
   */
  close(deadline?: Deadline): Promise<number>;
}
