import type { AttemptResult } from './attempt-result';
import type { DeliveryJob } from './delivery-job';

/** One delivery attempt of a job to its sink: what the queues call, whatever the transport. */
export type SendAttempt = (job: DeliveryJob) => Promise<AttemptResult>;
