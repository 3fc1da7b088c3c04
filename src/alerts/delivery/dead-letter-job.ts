import { randomUUID } from 'node:crypto';
import type { DeadLetterEntry } from '../dead-letter/dead-letter-entry';
import type { DeliveryJob } from './delivery-job';

/** The dead-letter entry for a job that will not be attempted again. */
export function deadLetterEntry(job: DeliveryJob, attempts: number, reason: string, status?: number): DeadLetterEntry {
  return { id: randomUUID(), job, attempts, reason, ...(status !== undefined ? { status } : {}), failedAt: Date.now() };
}
