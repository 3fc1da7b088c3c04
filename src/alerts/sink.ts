import type { Alert } from '../interfaces/alert';

/** Where alerts go: a webhook (through the delivery queue) or stdout. */
export interface Sink {
  readonly id: string;
  accepts(alert: Alert): boolean;
  /** Resolves once the alert is written (stdout) or queued (webhook), not delivered. */
  send(alert: Alert): Promise<void>;
}
