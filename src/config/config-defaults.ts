import { COLLECTOR_DEFAULTS } from '../collector/collector';
import { DEFAULT_DISTINCT_EXACT_LIMIT, DEFAULT_MAX_KEYS_PER_RULE } from '../engine/engine-options';
import { PRODUCER_DEFAULTS } from '../queue/batcher';
import { DEFAULT_FAILOVER_MS } from '../queue/bullmq-consumer-options';
import { formatDuration } from '../rules/duration';

/**
 * The defaults of every optional config key, in the file's own terms (durations as text), taken
 * from the parts that own them where they have them; docs/configuration.md is tested against this
 * table. lateness, tick and the loss alert are the run command's own settings.
 */
export const CONFIG_DEFAULTS = {
  role: 'all',
  collector: {
    ringBytes: COLLECTOR_DEFAULTS.ringBytes, probe: false, netns: 0, snmpInterval: formatDuration(COLLECTOR_DEFAULTS.snmpIntervalMs),
    aggregate: COLLECTOR_DEFAULTS.aggregate,
    aggregateAbove: COLLECTOR_DEFAULTS.aggregateAbove,
  },
  queue: {
    batchSize: PRODUCER_DEFAULTS.batchSize,
    linger: formatDuration(PRODUCER_DEFAULTS.lingerMs),
    capacity: PRODUCER_DEFAULTS.capacity,
    partitions: PRODUCER_DEFAULTS.partitions,
    failover: formatDuration(DEFAULT_FAILOVER_MS),
  },
  engine: { maxKeysPerRule: DEFAULT_MAX_KEYS_PER_RULE, distinctExactLimit: DEFAULT_DISTINCT_EXACT_LIMIT, lateness: '250ms', tick: '250ms' },
  loss: { threshold: 1, window: '10s', cooldown: '1m' },
  logging: { level: 'info', format: 'auto' },
} as const;
