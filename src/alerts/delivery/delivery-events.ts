import type { AttemptResult } from './attempt-result';
import type { DeliveryJob } from './delivery-job';

/** What a queue reports as it works; the sink layer logs these (ids and reasons, never URLs or headers). */
export interface DeliveryEvents {
  attempted?(job: DeliveryJob, attempt: number, result: AttemptResult): void;
  deadLettered?(job: DeliveryJob, reason: string): void;
  /** Redis went away or answered with an error; BullMQ and ioredis reconnect by themselves. */
  connectionError?(err: unknown): void;
}
