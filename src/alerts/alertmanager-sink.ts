import type { Logger } from 'pino';
import type { Alert } from '../interfaces/alert';
import { acceptsAlert } from './alert-filter';
import { isBurstSummary } from './burst-summarizer';
import { alertmanagerUrls } from './delivery/webhook-targets';
import type { DeliveryQueue } from './delivery/delivery-queue';
import { FiringAlerts } from './firing-alerts';
import { generatorUrl, postableAlerts } from './formats/alertmanager-api';
import type { AlertmanagerSinkConfig, Identified } from './sink-config';
import { alertmanagerTargetId } from './sink-id';
import type { Sink } from './sink';

export const DEFAULT_RESEND_INTERVAL_MS = 60_000;
export const DEFAULT_MAX_FIRING = 10_000;
export const DEFAULT_FORGET_AFTER_MS = 3_600_000;
/** A firing alert is told to end this many re-send intervals ahead: two re-sends may be lost or late before Alertmanager resolves it. */
export const ENDS_AFTER_RESENDS = 3;

/**
 * Pushes alerts into Alertmanager (`POST /api/v2/alerts`), one queued delivery per configured
 * Alertmanager, each retried and dead-lettered on its own. Alertmanager resolves an alert by
 * itself at its `endsAt`, so while an alert fires it is sent again every `resendIntervalMs` with
 * `endsAt` pushed ahead; its resolution is sent with the resolution time. If tcpwarden stops, the
 * alerts it left firing end in Alertmanager at most three intervals later. An alert the engine has
 * not sent again (a repeat) for `forgetAfterMs` is no longer re-sent: its resolution may be
 * another process's to send (its partition moved to another engine).
 */
export class AlertmanagerSink implements Sink {
  readonly id: string;
  private readonly firing: FiringAlerts;
  private readonly intervalMs: number;
  private readonly targets: string[];
  private readonly timer: NodeJS.Timeout;
  /** The re-send round under way: a round still queueing (Redis slow) is not joined by the next. */
  private resending?: Promise<void>;
  private warnedFull = false;

  constructor(
    private readonly config: Identified<AlertmanagerSinkConfig>,
    private readonly queue: DeliveryQueue,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.id = config.id;
    this.intervalMs = config.resendIntervalMs ?? DEFAULT_RESEND_INTERVAL_MS;
    this.firing = new FiringAlerts(config.maxFiring ?? DEFAULT_MAX_FIRING);
    this.targets = alertmanagerUrls(config).map((_, i) => alertmanagerTargetId(config.id, i));
    this.timer = setInterval(() => {
      this.resending ??= this.resendFiring().finally(() => (this.resending = undefined));
    }, this.intervalMs);
    // The re-send timer alone never keeps a process alive.
    this.timer.unref();
  }

  accepts(alert: Alert): boolean {
    return acceptsAlert(this.config, alert);
  }

  /** Queues `alert` for every Alertmanager, and remembers a firing one (forgets a resolved one) for the re-sends. */
  async send(alert: Alert): Promise<void> {
    if (alert.status === 'resolved') this.firing.forget(alert.dedupKey);
    // A burst summary has no resolution to wait for: sent once, it ends in Alertmanager by itself.
    else if (!isBurstSummary(alert)) this.remember(alert);
    await this.deliver(alert, alert.id);
  }

  /** Sends every firing alert again with a fresh `endsAt` (the timer calls this each interval). Failures are logged. */
  async resendFiring(): Promise<void> {
    const at = this.now();
    const stale = this.firing.forgetBefore(at - (this.config.forgetAfterMs ?? DEFAULT_FORGET_AFTER_MS));
    if (stale > 0) this.logger.info({ sink: this.id, alerts: stale }, 'alertmanager: firing alerts not repeated by the engine for forgetAfterMs are no longer re-sent');
    const sent = await Promise.allSettled(this.firing.alerts().map((a) => this.deliver(a, `${a.id}-resend-${at}`)));
    const failed = sent.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0)
      this.logger.error({ sink: this.id, alerts: failed.length, code: (failed[0].reason as { code?: unknown }).code }, 'alertmanager: firing alerts could not be queued for re-sending');
  }

  /** The firing alerts this sink keeps re-sending: handed to its replacement when the config is reloaded. */
  firingAlerts(): Alert[] {
    return this.firing.alerts();
  }

  /** Takes over firing alerts another sink was re-sending (a reloaded config); they go out with the next re-send. */
  adopt(alerts: Alert[]): void {
    for (const a of alerts) if (this.accepts(a)) this.remember(a);
  }

  /** Stops the re-sends, once the round under way (if any) is queued. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.resending;
  }

  private remember(alert: Alert): void {
    if (this.firing.remember(alert, this.now())) return;
    if (!this.warnedFull)
      this.logger.warn({ sink: this.id, maxFiring: this.config.maxFiring ?? DEFAULT_MAX_FIRING },
        'alertmanager: too many firing alerts to re-send; further ones are sent once and end in Alertmanager by themselves');
    this.warnedFull = true;
  }

  private async deliver(alert: Alert, alertId: string): Promise<void> {
    const at = this.now();
    const endsAt = alert.status === 'resolved' ? (alert.endsAt ?? alert.window.end) : Math.max(at, alert.startsAt) + ENDS_AFTER_RESENDS * this.intervalMs;
    const link = this.config.generatorUrl ? generatorUrl(alert, this.config.generatorUrl) : undefined;
    const { body, contentType } = postableAlerts(alert, endsAt, link);
    const queued = await Promise.allSettled(
      this.targets.map((sinkId) =>
        this.queue.enqueue({ sinkId, alertId, dedupKey: alert.dedupKey, ruleId: alert.rule.id, status: alert.status, body, contentType, queuedAt: at }),
      ),
    );
    const failed = queued.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
