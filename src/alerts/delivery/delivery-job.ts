import type { AlertStatus } from '../../interfaces/alert';

/**
 * One alert for one webhook sink, or for one Alertmanager of an alertmanager sink (`sinkId`
 * `<sink id>#<index>`): what a queue stores. It holds no secret and no URL (webhook URLs
 * may carry tokens): the sender looks both up by `sinkId` when it sends.
 */
export interface DeliveryJob {
  sinkId: string;
  /** The alert id, sent as webhook-id on every attempt. */
  alertId: string;
  dedupKey: string;
  ruleId: string;
  status: AlertStatus;
  body: string;
  contentType: string;
  /** Epoch ms when the job was queued: beside a dead-letter entry's failedAt, how long it was tried. */
  queuedAt: number;
}
