import type { DeliveryConfig } from '../sink-config';

export interface RetryPolicy {
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

/**
 * Defaults: 17 attempts, the delay ceiling doubling from 1 s to a 5-minute cap. With equal jitter
 * the 16 waits add up to at least 21.75 minutes (at most 43.5): a receiver down that long is
 * always waited out.
 */
export function retryPolicy(config: DeliveryConfig = {}): RetryPolicy {
  return {
    maxAttempts: config.maxAttempts ?? 17,
    backoffMs: config.backoffMs ?? 1000,
    maxBackoffMs: config.maxBackoffMs ?? 300_000,
  };
}

/**
 * Delay before retry number `retry` (1 for the first): exponential with "equal jitter", half of
 * the ceiling fixed and half random. The random half keeps senders that failed together from
 * coming back together; the fixed half guarantees the retry budget spans a known outage, which
 * full jitter (anything from 0) would not. A receiver's Retry-After is a floor; the cap keeps one
 * hostile header from parking a delivery for days.
 */
export function retryDelay(policy: RetryPolicy, retry: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (retry - 1));
  const jittered = Math.round(ceiling / 2 + (ceiling / 2) * random());
  return Math.min(policy.maxBackoffMs, Math.max(jittered, retryAfterMs ?? 0));
}
