import type { DeliveryConfig } from '../sink-config';

export interface RetryPolicy {
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

/** The defaults cover a receiver down for about half an hour: 11 retries, capped at 5 minutes each. */
export function retryPolicy(config: DeliveryConfig = {}): RetryPolicy {
  return {
    maxAttempts: config.maxAttempts ?? 12,
    backoffMs: config.backoffMs ?? 1000,
    maxBackoffMs: config.maxBackoffMs ?? 300_000,
  };
}

/**
 * Delay before retry number `retry` (1 for the first): exponential with full jitter, so many
 * senders that failed together do not come back together. A receiver's Retry-After is a floor;
 * the cap keeps one hostile header from parking a delivery for days.
 */
export function retryDelay(policy: RetryPolicy, retry: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (retry - 1));
  const jittered = Math.round(ceiling * random());
  return Math.min(policy.maxBackoffMs, Math.max(jittered, retryAfterMs ?? 0));
}
