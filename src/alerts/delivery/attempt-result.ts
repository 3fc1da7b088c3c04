/** What one HTTP attempt came to. `retry`: network error, timeout, 408, 429, 5xx; `reject`: anything else not 2xx. */
export type AttemptResult =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'retry'; reason: string; status?: number; retryAfterMs?: number }
  | { outcome: 'reject'; reason: string; status?: number };
