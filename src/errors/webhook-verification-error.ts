export type WebhookVerificationCode =
  | 'WEBHOOK_MISSING_HEADER'
  | 'WEBHOOK_INVALID_TIMESTAMP'
  | 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE'
  | 'WEBHOOK_NO_MATCHING_SIGNATURE'
  /** The receiver's own secret makes no key: its configuration, not the request, is wrong. */
  | 'WEBHOOK_INVALID_SECRET';

/**
 * A received webhook whose Standard Webhooks signature does not verify. Never worth a retry by the
 * sender (the same bytes fail again): receivers should answer 401.
 */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';

  constructor(
    readonly code: WebhookVerificationCode,
    message: string,
  ) {
    super(message);
  }
}
