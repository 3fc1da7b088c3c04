import type { AttemptResult } from './attempt-result';
import type { DeliveryJob } from './delivery-job';

/**
 * One delivery attempt of a job to its sink: what the queues call, whatever the transport.
 * `signal` cuts the attempt short (a stop whose deadline came): it ends as a `shutdown` retry.
 */
export type SendAttempt = (job: DeliveryJob, signal?: AbortSignal) => Promise<AttemptResult>;
