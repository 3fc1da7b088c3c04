import { createHash } from 'node:crypto';
import type { AlertStatus } from '../interfaces/alert';

/**
 * A notification's id from what identifies it: the group (dedup key), the status and the window
 * that produced it. The same events replayed, or the same groups judged by another worker,
 * give the same id, so delivery can be idempotent.
 */
export function alertId(dedupKey: string, status: AlertStatus, windowEnd: number): string {
  return createHash('sha256').update(`${dedupKey}\n${status}\n${windowEnd}`).digest('hex').slice(0, 32);
}
