import type { Logger } from 'pino';
import type { DeliveryEvents } from './delivery-events';
import type { DeliveryJob } from './delivery-job';

/** Log fields for a job: ids and outcome only. URLs, headers and secrets are never passed to the logger. */
const ids = (job: DeliveryJob) => ({ sink: job.sinkId, alert: job.alertId, rule: job.ruleId, status: job.status });

/** Delivery events as log lines: debug for success, warn for a failed attempt, error for a dead letter. */
export function deliveryLog(logger: Logger): Required<DeliveryEvents> & { failed(job: DeliveryJob, err: unknown): void } {
  return {
    attempted(job, attempt, result) {
      if (result.outcome === 'delivered') logger.debug({ ...ids(job), attempt, http: result.status }, 'alert delivered');
      else logger.warn({ ...ids(job), attempt, reason: result.reason, http: result.status }, 'alert delivery attempt failed');
    },
    deadLettered(job, reason) {
      logger.error({ ...ids(job), reason }, 'alert moved to the dead-letter list');
    },
    connectionError(err) {
      logger.error({ code: (err as { code?: unknown }).code }, 'alert queue: Redis connection error');
    },
    failed(job, err) {
      logger.error({ ...ids(job), code: (err as { code?: unknown }).code }, 'alert delivery could not be recorded');
    },
  };
}
