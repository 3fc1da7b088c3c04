import { alertId } from '../engine/alert-id';
import type { Alert } from '../interfaces/alert';
import type { LossLedger } from './loss-ledger';

export interface LossAlertOptions {
  /** Events lost within one window that make the alert fire. Default 1: any loss is a blind spot. */
  threshold: number;
  windowMs: number;
  /** Repeat a firing alert with updated figures at most this often. */
  cooldownMs: number;
}

export const EVENT_LOSS_RULE = {
  id: 'event-loss',
  name: 'Events lost: detection has a blind spot',
  severity: 'high',
  tags: ['tcpwarden', 'loss'],
} as const;

/**
 * The built-in `event-loss` alert: when the collector, the queue or the engine's state limits
 * lose events beyond a threshold within a window, an alert goes out like any rule's, so a blind
 * spot is never silent. It fires, repeats after the cooldown while loss goes on, and resolves
 * after a whole window without loss.
 */
export class LossMonitor {
  private firingSince?: number;
  private lastSent = 0;

  constructor(
    private readonly ledger: LossLedger,
    private readonly options: LossAlertOptions,
    private readonly host: string,
  ) {}

  /** Judges the window that ends at `now`. */
  check(now: number): Alert[] {
    const start = now - this.options.windowMs;
    const loss = this.ledger.between(start, now);
    const losing = loss.events >= this.options.threshold;
    if (losing && (this.firingSince === undefined || now - this.lastSent >= this.options.cooldownMs)) {
      this.firingSince ??= start;
      this.lastSent = now;
      return [this.alert('firing', start, now, loss)];
    }
    if (!losing && loss.events === 0 && this.firingSince !== undefined) {
      const alert = this.alert('resolved', start, now, loss);
      this.firingSince = undefined;
      return [alert];
    }
    return [];
  }

  private alert(status: Alert['status'], start: number, end: number, loss: Alert['loss']): Alert {
    const dedupKey = `${EVENT_LOSS_RULE.id}|${this.host}`;
    const stages = Object.entries(loss.stages)
      .map(([stage, n]) => `${n} at ${stage}`)
      .join(', ');
    const seconds = Math.round(this.options.windowMs / 1000);
    return {
      dedupKey,
      id: alertId(dedupKey, status, this.firingSince ?? start, end),
      status,
      rule: { ...EVENT_LOSS_RULE, tags: [...EVENT_LOSS_RULE.tags] },
      group: { host: this.host },
      window: { start, end },
      aggregates: { lost: loss.events, ...Object.fromEntries(Object.entries(loss.stages).map(([k, v]) => [`lost.${k}`, v])) },
      summary:
        status === 'firing'
          ? `${loss.events} events lost on ${this.host} in ${seconds}s (${stages}): rules may miss attacks`
          : `no events lost on ${this.host} for ${seconds}s`,
      host: this.host,
      netns: [],
      samples: [],
      loss,
      startsAt: this.firingSince ?? start,
      ...(status === 'resolved' ? { endsAt: end } : {}),
    };
  }
}
