import { DEFAULT_DISTINCT_EXACT_LIMIT, DEFAULT_MAX_KEYS_PER_RULE } from '../engine/engine-options';

/**
 * The defaults of every optional config key, in the file's own terms (durations as text), so
 * docs/configuration.md and the schema's descriptions can be checked against one table.
 */
export const CONFIG_DEFAULTS = {
  role: 'all',
  collector: { ringBytes: 8 << 20, probe: false, netns: 0, snmpInterval: '1s' },
  queue: { batchSize: 1000, linger: '50ms', capacity: 100_000, partitions: 1 },
  engine: { maxKeysPerRule: DEFAULT_MAX_KEYS_PER_RULE, distinctExactLimit: DEFAULT_DISTINCT_EXACT_LIMIT, lateness: '2s', tick: '1s' },
  loss: { threshold: 1, window: '10s', cooldown: '1m' },
  logging: { level: 'info', format: 'auto' },
} as const;
