import type { Alert } from '../interfaces/alert';
import { acceptsAlert } from './alert-filter';
import type { DeliveryQueue } from './delivery/delivery-queue';
import { renderBody } from './formats/render-body';
import type { Identified, WebhookSinkConfig } from './sink-config';
import type { Sink } from './sink';

/** A webhook sink: renders the body in its format once and queues it; the queue sends, signs and retries. */
export class WebhookSink implements Sink {
  readonly id: string;

  constructor(
    private readonly config: Identified<WebhookSinkConfig>,
    private readonly queue: DeliveryQueue,
  ) {
    this.id = config.id;
  }

  accepts(alert: Alert): boolean {
    return acceptsAlert(this.config, alert);
  }

  async send(alert: Alert): Promise<void> {
    const { body, contentType } = renderBody(this.config, alert);
    await this.queue.enqueue({
      sinkId: this.id,
      alertId: alert.id,
      dedupKey: alert.dedupKey,
      ruleId: alert.rule.id,
      status: alert.status,
      body,
      contentType,
      queuedAt: Date.now(),
    });
  }
}
