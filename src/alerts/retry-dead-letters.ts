import type { Logger } from 'pino';
import type { DeadLetterEntry } from './dead-letter/dead-letter-entry';
import type { DeadLetterStore } from './dead-letter/dead-letter-store';
import { deliveryLog } from './delivery/delivery-log';
import { MemoryDeliveryClaims } from './delivery/memory-delivery-claims';
import { MemoryDeliveryQueue } from './delivery/memory-delivery-queue';
import { retryPolicy } from './delivery/retry-policy';
import { sendToTargets, webhookTargets } from './delivery/webhook-targets';
import type { ValidAlertsConfig } from './sink-config';

export interface RetryReport {
  delivered: DeadLetterEntry[];
  /** Failed again: back in the dead-letter list as new entries. */
  failed: DeadLetterEntry[];
  /** Left in the list: their sink is not in the given config. */
  skipped: DeadLetterEntry[];
  /** Left alone: another `alerts retry` running now holds them (or has just sent them). */
  busy: DeadLetterEntry[];
}

export interface RetryOptions {
  /** The sinks to send to, and the backoff and concurrency settings. */
  config: ValidAlertsConfig;
  store: DeadLetterStore;
  logger: Logger;
  /** Only these entries (default: all). */
  ids?: string[];
  /** Attempts per entry, overriding the config's (a person waits for this command). */
  maxAttempts?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * `tcpwarden alerts retry`: re-sends dead-letter entries to the sinks of `config`, in this
 * process, with retries, and waits for the outcome. An entry leaves the list only after its new
 * delivery ended (delivered, or dead-lettered anew), so a crash midway repeats a delivery rather
 * than losing one; receivers dedupe on webhook-id. Entries are claimed in the store first, so two
 * runs at the same moment send each entry once: the other run's entries are reported as busy.
 */
export async function retryDeadLetters({ config, store, logger, ids, maxAttempts, env }: RetryOptions): Promise<RetryReport> {
  const targets = webhookTargets(config.sinks, env);
  const entries = (await store.list()).filter((e) => !ids || ids.includes(e.id));
  const wanted = entries.filter((e) => targets.has(e.job.sinkId));
  const claimed = new Set(await store.claim(wanted.map((e) => e.id)));
  const chosen = wanted.filter((e) => claimed.has(e.id));
  const report: RetryReport = {
    delivered: [],
    failed: [],
    skipped: entries.filter((e) => !targets.has(e.job.sinkId)),
    busy: wanted.filter((e) => !claimed.has(e.id)),
  };
  try {
    await resend(chosen, report, targets, { config, store, logger, maxAttempts });
  } finally {
    // remove() ended the claims of the entries it took out; this frees any left by a failure midway.
    await store.release(chosen.map((e) => e.id));
  }
  return report;
}

/** Sends the claimed entries through a queue of their own, then takes them out of the list. */
async function resend(
  chosen: DeadLetterEntry[],
  report: RetryReport,
  targets: ReturnType<typeof webhookTargets>,
  { config, store, logger, maxAttempts }: Omit<RetryOptions, 'ids' | 'env'>,
): Promise<void> {
  const delivery = config.delivery ?? {};
  const log = deliveryLog(logger);
  const deliveredIds = new Set<string>();
  const queue = new MemoryDeliveryQueue({
    policy: { ...retryPolicy(delivery), ...(maxAttempts ? { maxAttempts } : {}) },
    maxPending: Math.max(1, chosen.length),
    concurrency: delivery.concurrency ?? 16,
    // Fresh claims: these alert ids were claimed when first queued, and were never delivered.
    claims: new MemoryDeliveryClaims(24 * 3600 * 1000),
    deadLetters: store,
    send: sendToTargets(targets),
    events: {
      ...log,
      attempted(job, attempt, result) {
        log.attempted(job, attempt, result);
        if (result.outcome === 'delivered') deliveredIds.add(`${job.sinkId}\n${job.alertId}`);
      },
    },
  });
  for (const e of chosen) await queue.enqueue(e.job);
  await queue.drained();
  await queue.close();
  for (const e of chosen) (deliveredIds.has(`${e.job.sinkId}\n${e.job.alertId}`) ? report.delivered : report.failed).push(e);
  await store.remove(chosen.map((e) => e.id));
}
