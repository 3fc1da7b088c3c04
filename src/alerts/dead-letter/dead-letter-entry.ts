import type { DeliveryJob } from '../delivery/delivery-job';

/** A delivery that ran out of attempts, was refused (4xx), or was still pending at shutdown. */
export interface DeadLetterEntry {
  /** Entry id, unique within the list. */
  id: string;
  job: DeliveryJob;
  attempts: number;
  /** Why the last attempt failed: `http_400`, `timeout`, `ECONNREFUSED`, `queue_full`, `shutdown`, ... */
  reason: string;
  status?: number;
  /** Epoch ms. */
  failedAt: number;
}
