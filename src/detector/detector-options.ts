import type { Logger } from 'pino';
import type { ValidAlertsConfig } from '../alerts/sink-config';
import type { CollectorOptions } from '../collector/collector';
import type { TcpEvent } from '../interfaces/tcp-event';
import type { BullmqConsumerOptions } from '../queue/bullmq-consumer-options';
import type { ProducerOptions } from '../queue/transport-options';
import type { LossAlertOptions } from './loss-monitor';

export type DetectorRole = 'all' | 'collector' | 'engine';

export interface DetectorOptions {
  /** Rule files or directories. Default: the rules shipped in the package's rules/. */
  rules?: string[];
  /** Reload the rules when their files change (besides `reload()` / SIGHUP). Default true. */
  watchRules?: boolean;
  /**
   * `all` (default): collector, queue and engine in this process. `collector`: kernel events to
   * Redis only (needs root). `engine`: Redis to rules and alerts (no privileges).
   */
  role?: DetectorRole;
  /** Stamped on events and alerts. Default os.hostname(). */
  host?: string;
  /**
   * Where events come from instead of the kernel: a replay, a test, another sensor. Batches are
   * judged on their own timestamps as they arrive. Each event goes through the event check
   * (docs/events.md): a bad one is left out and counted as lost at stage `collector`. Default:
   * the eBPF collector.
   */
  source?: AsyncIterable<readonly TcpEvent[]>;
  collector?: Omit<CollectorOptions, 'host'>;
  /** `redis://` or `rediss://` URL (with credentials): BullMQ carries events and alert deliveries. Default: in memory. */
  redisUrl?: string;
  queue?: Omit<ProducerOptions, 'keysOf'>;
  /**
   * Engine roles on Redis: this worker's name, and how fast a dead worker's partitions move on
   * (lease lifetime, batch lock lifetime, how often lapsed locks are looked for).
   */
  worker?: Pick<BullmqConsumerOptions, 'workerId' | 'leaseTtlMs' | 'lockDurationMs' | 'stalledIntervalMs'>;
  engine?: {
    maxKeysPerRule?: number;
    distinctExactLimit?: number;
    /**
     * How long after a slice boundary passes on the wall clock it is judged, so events still in
     * the collector's ring or the queue count in that judgement (and N workers judge the same
     * events). Later events still count in the next judgements while inside the window; only
     * events older than the window are late. Default 250 ms.
     */
    latenessMs?: number;
    /** How often the engine judges the slice boundaries that passed. Default 250 ms. */
    tickMs?: number;
  };
  /** Sinks, delivery and burst control. Default: none (listen to the `alert` event). */
  alerts?: ValidAlertsConfig;
  /** The built-in event-loss alert. Default: threshold 1 event per 10 s window, repeated every minute. */
  loss?: Partial<LossAlertOptions>;
  /** Serve Prometheus metrics, /healthz and /readyz here (`HOST:PORT`); default none. */
  metricsAddress?: string;
  logger?: Logger;
}
