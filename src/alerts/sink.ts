import type { Alert } from '../interfaces/alert';

/** Where alerts go: a webhook or Alertmanager (through the delivery queue), or stdout. */
export interface Sink {
  readonly id: string;
  accepts(alert: Alert): boolean;
  /** Resolves once the alert is written (stdout) or queued (webhook), not delivered. */
  send(alert: Alert): Promise<void>;
  /** The firing alerts the sink keeps re-sending (Alertmanager), for its replacement to take over. */
  firingAlerts?(): Alert[];
  adopt?(alerts: Alert[]): void;
  /** Stops the sink's own timers; the queue is closed by the sink layer, after. */
  close?(): Promise<void>;
}
