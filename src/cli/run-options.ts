import { loadSecret } from '../alerts/secret';
import type { SinkConfig, Identified, ValidAlertsConfig } from '../alerts/sink-config';
import { webhookSinksFromUrls } from '../alerts/webhook-sinks-from-urls';
import type { ValidConfig } from '../config/valid-config';
import type { DetectorOptions, DetectorRole } from '../detector/detector-options';
import type { LogFormat, LogLevel } from '../logging/create-logger';

/** The `tcpwarden run` flags that can override or extend a config file. */
export interface RunFlags {
  rules?: string[];
  webhooks: string[];
  redis?: string;
  role?: DetectorRole;
  metrics?: string;
  json: boolean;
  stateDir?: string;
  logLevel?: LogLevel;
}

/** A Redis URL with the password from its secret source put in (never printed: the queue masks it). */
function redisUrlWithPassword(redis: NonNullable<ValidConfig['redis']>): string {
  if (!redis.password) return redis.url;
  const url = new URL(redis.url);
  url.password = encodeURIComponent(loadSecret(redis.password, 'redis.password').reveal());
  return url.toString();
}

/**
 * The detector's options from a config file (when given) and the flags: a flag overrides its key,
 * `--webhook` adds sinks to the configured ones, and without a config file the defaults are
 * `tcpwarden run`'s (the terminal as the only sink besides the webhooks).
 */
export function runOptions(config: ValidConfig | undefined, flags: RunFlags): DetectorOptions & { logLevel: LogLevel; logFormat: LogFormat } {
  const redisUrl = flags.redis ?? (config?.redis ? redisUrlWithPassword(config.redis) : undefined);
  const configured: Identified<SinkConfig>[] = config ? config.alerts.sinks : [{ type: 'stdout', id: 'stdout' }];
  const sinks = configured.map((s) => (s.type === 'stdout' && flags.json ? { ...s, json: true } : s));
  const alerts: ValidAlertsConfig = {
    ...config?.alerts,
    sinks: [...sinks, ...webhookSinksFromUrls(flags.webhooks)],
    delivery: {
      ...config?.alerts.delivery,
      // Deliveries go through the same Redis as events unless the config names another.
      ...(redisUrl && !config?.alerts.delivery?.redisUrl ? { redisUrl } : {}),
      ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
    },
  };
  const metricsAddress = flags.metrics ?? config?.metrics?.address;
  return {
    rules: flags.rules ?? config?.rules,
    role: flags.role ?? config?.role ?? 'all',
    host: config?.host,
    redisUrl,
    collector: config
      ? {
          ringBytes: config.collector.ringBytes,
          probe: config.collector.probe,
          netns: config.collector.netns || undefined,
          snmpIntervalMs: config.collector.snmpIntervalMs,
          aggregate: config.collector.aggregate,
          aggregateAbove: config.collector.aggregateAbove,
        }
      : undefined,
    queue: config && { batchSize: config.queue.batchSize, lingerMs: config.queue.lingerMs, capacity: config.queue.capacity, partitions: config.queue.partitions },
    worker: config && { leaseTtlMs: config.queue.failoverMs, lockDurationMs: config.queue.failoverMs },
    engine: config?.engine,
    alerts,
    loss: config?.loss,
    metricsAddress,
    logLevel: flags.logLevel ?? config?.logging.level ?? 'info',
    logFormat: config?.logging.format ?? 'auto',
  };
}
