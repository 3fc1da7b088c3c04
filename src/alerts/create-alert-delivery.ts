import IORedis from 'ioredis';
import pino, { type Logger } from 'pino';
import type { Writable } from 'node:stream';
import { AlertDelivery } from './alert-delivery';
import { AlertmanagerSink } from './alertmanager-sink';
import { FileDeadLetterStore } from './dead-letter/file-dead-letter-store';
import { RedisDeadLetterStore } from './dead-letter/redis-dead-letter-store';
import type { DeadLetterStore } from './dead-letter/dead-letter-store';
import { BullmqDeliveryQueue } from './delivery/bullmq-delivery-queue';
import type { DeliveryEvents } from './delivery/delivery-events';
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
  /** Default: pino to stderr (stdout belongs to the stdout sink). */
  logger?: Logger;
  /** Where `{ env: NAME }` secrets are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The stdout sink's stream (default process.stdout). */
  stdout?: Writable;
  /**
   * Told of every attempt and dead letter besides the log (the detector counts them as metrics).
   * Its `connectionError`, when given, takes Redis errors instead of the log (the detector logs
   * them at a slowing rate while Redis is away).
   */
  observer?: DeliveryEvents;
}

/**
 * A Redis connection for claims and the dead-letter list. ioredis's default per-command retry
 * limit stays on: with Redis away, a claim fails (and dispatch rejects, so the engine hands the
 * alert over again) rather than hanging. `failFast` (for commands a person waits on) gives up
 * after the first failed connection. Errors are logged, never thrown as unhandled events.
 */
function redisClient(url: string, logger?: Logger, failFast = false, onError?: (err: unknown) => void): IORedis {
  // A short disconnect timeout: closing while Redis is away would otherwise hold the process 2 s.
  const client = new IORedis(url, { disconnectTimeout: 200, ...(failFast ? { retryStrategy: () => null, maxRetriesPerRequest: 0 } : {}) });
  client.on('error', (err: NodeJS.ErrnoException) => (onError ? onError(err) : logger?.error({ code: err.code }, 'alerts: Redis connection error')));
  return client;
}

/** The dead-letter list the delivery config points at: the Redis list with a Redis URL, the state dir's file otherwise. */
export function deadLetterStore(delivery: DeliveryConfig = {}, logger?: Logger, failFast = false, onError?: (err: unknown) => void): DeadLetterStore {
  return delivery.redisUrl
    ? new RedisDeadLetterStore(redisClient(delivery.redisUrl, logger, failFast, onError), true)
    : new FileDeadLetterStore(delivery.stateDir ?? DEFAULT_STATE_DIR);
}

/** The queue the delivery config asks for, with its claims and dead-letter list. */
function deliveryQueue(delivery: DeliveryConfig, send: SendAttempt, deadLetters: DeadLetterStore, logger: Logger, observer?: DeliveryEvents): DeliveryQueue {
  const policy = retryPolicy(delivery);
  const concurrency = delivery.concurrency ?? 16;
  const ttl = delivery.dedupTtlMs ?? DEFAULT_DEDUP_TTL_MS;
  const log = deliveryLog(logger);
  const events: typeof log = {
    ...log,
    attempted(job, attempt, result) {
      log.attempted(job, attempt, result);
      observer?.attempted?.(job, attempt, result);
    },
    deadLettered(job, reason) {
      log.deadLettered(job, reason);
      observer?.deadLettered?.(job, reason);
    },
    connectionError: observer?.connectionError ?? log.connectionError,
  };
  if (delivery.redisUrl)
    return new BullmqDeliveryQueue({
      redisUrl: delivery.redisUrl,
      policy,
      concurrency,
      claims: new RedisDeliveryClaims(redisClient(delivery.redisUrl, logger, false, events.connectionError), ttl, true),
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

/** Builds the sink layer from a validated alerts config; secrets are read now, so a missing one fails at start. */
export function createAlertDelivery(config: ValidAlertsConfig, options: AlertDeliveryOptions = {}): AlertDelivery {
  const logger = options.logger ?? pino({ name: 'tcpwarden-alerts' }, pino.destination(2));
  const delivery = config.delivery ?? {};
  const send = sendToTargets(webhookTargets(config.sinks, options.env));
  const deadLetters = deadLetterStore(delivery, logger, false, options.observer?.connectionError);
  const queue = deliveryQueue(delivery, send, deadLetters, logger, options.observer);
  const sinks: Sink[] = config.sinks.map((s) => {
    switch (s.type) {
      case 'webhook':
        return new WebhookSink(s, queue);
      case 'alertmanager':
        return new AlertmanagerSink(s, queue, logger);
      case 'stdout':
        return new StdoutSink(s, options.stdout);
    }
  });
  return new AlertDelivery(sinks, queue, deadLetters, config.burst ?? {}, logger);
}
