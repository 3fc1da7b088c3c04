/**
 * One delivery attempt failed in a way worth retrying (network error, timeout, 408, 429, 5xx).
 * Thrown inside the BullMQ processor so BullMQ's backoff strategy can read `retryAfterMs`.
 */
export class RetryableDeliveryError extends Error {
  override readonly name = 'RetryableDeliveryError';
  readonly code = 'ALERT_DELIVERY_RETRYABLE';

  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}
