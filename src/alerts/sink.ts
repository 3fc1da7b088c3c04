import type { Alert } from '../interfaces/alert';

/** Where alerts go: a webhook (through the delivery queue) or stdout. */
export interface Sink {
  readonly id: string;
  accepts(alert: Alert): boolean;
  /** `queuedAt`: when the alert reached the sink layer (epoch ms), carried for latency figures. */
  send(alert: Alert, queuedAt: number): Promise<void>;
}
