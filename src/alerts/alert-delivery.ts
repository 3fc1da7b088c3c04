import type { Logger } from 'pino';
import type { Alert } from '../interfaces/alert';
import { Deadline } from '../lifecycle/deadline';
import { BurstSummarizer } from './burst-summarizer';
import type { DeadLetterStore } from './dead-letter/dead-letter-store';
import type { DeliveryQueue } from './delivery/delivery-queue';
import type { BurstConfig } from './sink-config';
import type { Sink } from './sink';

/**
 * The sink layer: `dispatch(alert)` runs burst control, then hands the alert to every sink whose
 * filter takes it. Webhook and Alertmanager sinks queue durable, signed, retried deliveries.
 */
export class AlertDelivery {
  private readonly burst: BurstSummarizer;
  /** Summaries being queued, so close() waits for them. */
  private readonly summaries = new Set<Promise<void>>();

  constructor(
    private readonly sinks: Sink[],
    private readonly queue: DeliveryQueue,
    private readonly deadLetters: DeadLetterStore,
    burst: BurstConfig,
    private readonly logger: Logger,
  ) {
    this.burst = new BurstSummarizer(burst, (summary) => {
      const queued = this.fanOut(summary).catch((err: unknown) => {
        this.logger.error({ alert: summary.id, code: (err as { code?: unknown }).code }, 'burst summary could not be queued');
      });
      this.summaries.add(queued);
      void queued.finally(() => this.summaries.delete(queued));
    });
  }

  /**
   * Hands one alert from the engine to the sinks. Resolves once every sink that takes it has
   * queued it (not delivered it); rejects when a sink could not, so the caller can hand it over
   * again: the sinks that did queue it will not send it twice.
   */
  async dispatch(alert: Alert): Promise<void> {
    if (this.burst.admit(alert)) await this.fanOut(alert);
  }

  /** Resolves when every queued delivery has been delivered or dead-lettered. */
  async drained(): Promise<void> {
    await Promise.all(this.summaries);
    await this.queue.drained();
  }

  /** The firing alerts sinks keep re-sending (to Alertmanager): what a replacement sink layer takes over with adopt(). */
  firingAlerts(): Alert[] {
    const byKey = new Map<string, Alert>();
    for (const s of this.sinks) for (const a of s.firingAlerts?.() ?? []) byKey.set(a.dedupKey, a);
    return [...byKey.values()];
  }

  /** Takes over the firing alerts of the sink layer this one replaces, so a config reload does not let Alertmanager resolve them. */
  adopt(alerts: Alert[]): void {
    for (const s of this.sinks) s.adopt?.(alerts);
  }

  /**
   * Stops the sinks' own timers, sends pending burst summaries, then stops the queue by `deadline`
   * (default 10 s from now). Resolves with the deliveries not finished: dead-lettered (in memory)
   * or left queued in Redis.
   */
  async close(deadline = Deadline.after(10_000)): Promise<number> {
    // A re-send round still queueing waits on Redis: not past the deadline.
    await deadline.settles(Promise.all(this.sinks.map((s) => s.close?.())));
    this.burst.flushAll();
    await deadline.settles(Promise.all(this.summaries));
    const left = await this.queue.close(deadline);
    await this.deadLetters.close(deadline);
    return left;
  }

  private async fanOut(alert: Alert): Promise<void> {
    const results = await Promise.allSettled(this.sinks.filter((s) => s.accepts(alert)).map((s) => s.send(alert)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
