import IORedis from 'ioredis';
import pino, { type Logger } from 'pino';
import type { Writable } from 'node:stream';
import type { Alert } from '../interfaces/alert';
import { BurstSummarizer } from './burst-summarizer';
import { FileDeadLetterStore } from './dead-letter/file-dead-letter-store';
import { RedisDeadLetterStore } from './dead-letter/redis-dead-letter-store';
import type { DeadLetterStore } from './dead-letter/dead-letter-store';
import { BullmqDeliveryQueue } from './delivery/bullmq-delivery-queue';
import { deliveryLog } from './delivery/delivery-log';
import type { DeliveryQueue } from './delivery/delivery-queue';
import { MemoryDeliveryClaims } from './delivery/memory-delivery-claims';
import { MemoryDeliveryQueue } from './delivery/memory-delivery-queue';
import { RedisDeliveryClaims } from './delivery/redis-delivery-claims';
import { retryPolicy } from './delivery/retry-policy';
import { sendToTargets, webhookTargets } from './delivery/webhook-targets';
import type { SendAttempt } from './delivery/send-attempt';
import type { DeliveryConfig, ValidAlertsConfig } from './sink-config';
import type { Sink } from './sink';
import { StdoutSink } from './stdout-sink';
import { WebhookSink } from './webhook-sink';

export const DEFAULT_STATE_DIR = '/var/lib/tcpwarden';
const DEFAULT_DEDUP_TTL_MS = 7 * 24 * 3600 * 1000;

export interface AlertDeliveryOptions {
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  stdout?: Writable;
  /** Replaces the HTTP sender (the CLI's retry uses the real one; kept injectable for embedding). */
  send?: SendAttempt;
}

/**
 * A Redis connection for claims and the dead-letter list. ioredis's default per-command retry
 * limit stays on: with Redis away, a claim fails (and dispatch rejects, so the engine hands the
 * alert over again) rather than hanging. Errors are logged, never thrown as unhandled events.
 */
function redisClient(url: string, logger?: Logger): IORedis {
  const client = new IORedis(url);
  client.on('error', (err: NodeJS.ErrnoException) => logger?.error({ code: err.code }, 'alerts: Redis connection error'));
  return client;
}

/** The dead-letter list the delivery config points at: the Redis list with a Redis URL, the state dir's file otherwise. */
export function deadLetterStore(delivery: DeliveryConfig = {}, logger?: Logger): DeadLetterStore {
  return delivery.redisUrl
    ? new RedisDeadLetterStore(redisClient(delivery.redisUrl, logger), true)
    : new FileDeadLetterStore(delivery.stateDir ?? DEFAULT_STATE_DIR);
}

/** The queue the delivery config asks for, with its claims and dead-letter list. */
export function deliveryQueue(
  delivery: DeliveryConfig,
  send: SendAttempt,
  deadLetters: DeadLetterStore,
  logger: Logger,
  /** In this process only, with claims of its own: for `alerts retry`, which re-sends what was claimed before. */
  inProcess = false,
): DeliveryQueue {
  const policy = retryPolicy(delivery);
  const concurrency = delivery.concurrency ?? 16;
  const ttl = delivery.dedupTtlMs ?? DEFAULT_DEDUP_TTL_MS;
  const events = deliveryLog(logger);
  if (delivery.redisUrl && !inProcess)
    return new BullmqDeliveryQueue({
      redisUrl: delivery.redisUrl,
      policy,
      concurrency,
      claims: new RedisDeliveryClaims(redisClient(delivery.redisUrl, logger), ttl, true),
      deadLetters,
      send,
      events,
    });
  return new MemoryDeliveryQueue({
    policy,
    maxPending: delivery.maxPending ?? 10_000,
    concurrency,
    claims: new MemoryDeliveryClaims(ttl),
    deadLetters,
    send,
    events,
  });
}

/**
 * The sink layer: `dispatch(alert)` runs burst control, then hands the alert to every sink whose
 * filter takes it. Webhook sinks queue a durable, signed, retried delivery.
 */
export class AlertDelivery {
  private readonly burst: BurstSummarizer;
  /** Summaries being queued, so close() waits for them. */
  private readonly summaries = new Set<Promise<void>>();

  constructor(
    private readonly sinks: Sink[],
    private readonly queue: DeliveryQueue,
    private readonly deadLetters: DeadLetterStore,
    config: ValidAlertsConfig,
    private readonly logger: Logger,
  ) {
    this.burst = new BurstSummarizer(config.burst ?? {}, (summary) => {
      const queued = this.fanOut(summary, Date.now()).catch((err: unknown) => {
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
    const queuedAt = Date.now();
    if (this.burst.admit(alert)) await this.fanOut(alert, queuedAt);
  }

  /** Resolves when every queued delivery has been delivered or dead-lettered. */
  async drained(): Promise<void> {
    await Promise.all(this.summaries);
    await this.queue.drained();
  }

  /** Sends pending burst summaries, then stops the queue (the in-memory one dead-letters what still waits). */
  async close(): Promise<void> {
    this.burst.flushAll();
    await Promise.all(this.summaries);
    await this.queue.close();
    await this.deadLetters.close();
  }

  private async fanOut(alert: Alert, queuedAt: number): Promise<void> {
    const results = await Promise.allSettled(this.sinks.filter((s) => s.accepts(alert)).map((s) => s.send(alert, queuedAt)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** Builds the sink layer from a validated alerts config; secrets are read now, so a missing one fails at start. */
export function createAlertDelivery(config: ValidAlertsConfig, options: AlertDeliveryOptions = {}): AlertDelivery {
  const logger = options.logger ?? pino({ name: 'tcpwarden-alerts' }, pino.destination(2));
  const delivery = config.delivery ?? {};
  const send = options.send ?? sendToTargets(webhookTargets(config.sinks, options.env));
  const deadLetters = deadLetterStore(delivery, logger);
  const queue = deliveryQueue(delivery, send, deadLetters, logger);
  const sinks: Sink[] = config.sinks.map((s) => (s.type === 'webhook' ? new WebhookSink(s, queue) : new StdoutSink(s, options.stdout)));
  return new AlertDelivery(sinks, queue, deadLetters, config, logger);
}
