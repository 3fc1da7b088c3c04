import { createHash } from 'node:crypto';
import type { AlertStatus } from '../interfaces/alert';

/**
 * A notification's id from what identifies it: the group (dedup key), the status, the start of
 * the episode and the judgement instant that produced it (all in event time). The same events
 * replayed, or the same groups judged by another worker, give the same id, so delivery can be
 * idempotent.
 */
export function alertId(dedupKey: string, status: AlertStatus, episodeStart: number, at: number): string {
  return createHash('sha256').update(`${dedupKey}\n${status}\n${episodeStart}\n${at}`).digest('hex').slice(0, 32);
}
