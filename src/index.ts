/** The embedding API: `import { ... } from 'tcpwarden'`. */
export * from './interfaces/tcp-event';
export * from './interfaces/alert';
export { UserError } from './errors/user-error';
export { Collector } from './collector/collector';
export type { CollectorOptions, CollectorStats, CollectorStart, TracepointStats } from './collector/collector';
export { AlertDelivery } from './alerts/alert-delivery';
export { createAlertDelivery } from './alerts/create-alert-delivery';
export type { AlertDeliveryOptions } from './alerts/create-alert-delivery';
export { validateAlertsConfig } from './alerts/validate-alerts-config';
export type * from './alerts/sink-config';
export { webhookSinksFromUrls, WEBHOOK_SECRET_ENV } from './alerts/webhook-sinks-from-urls';
export { verifyWebhook } from './alerts/verify-webhook';
export type { VerifyWebhookOptions } from './alerts/verify-webhook';
export { WebhookVerificationError } from './errors/webhook-verification-error';
export { AlertsConfigError } from './errors/alerts-config-error';
