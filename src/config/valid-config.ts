import type { SecretSource, ValidAlertsConfig } from '../alerts/sink-config';
import type { AggregateMode } from '../collector/native-addon';
import type { LogFormat, LogLevel } from '../logging/create-logger';
import type { ListenAddress } from '../metrics/metrics-server';

export type Role = 'all' | 'collector' | 'engine';

/**
 * A `tcpwarden run` config after validation: every default applied, durations in milliseconds
 * (the `...Ms` names the embedding API uses), rule paths absolute. Secrets stay `SecretSource`s:
 * they are read when used (loadSecret), so a reload picks up a rotated secret and a config never
 * holds one.
 */
export interface ValidConfig {
  /** The file it was read from (absolute), for reloads and messages. */
  file: string;
  /** Rule files and directories, absolute. */
  rules: string[];
  role: Role;
  host: string;
  /** Absent: the in-memory queue (role `all` only). */
  redis?: { url: string; password?: SecretSource };
  collector: { ringBytes: number; probe: boolean; netns: number; snmpIntervalMs: number; aggregate: AggregateMode; aggregateAbove: number };
  queue: { batchSize: number; lingerMs: number; capacity: number; partitions: number; failoverMs: number };
  engine: { maxKeysPerRule: number; distinctExactLimit: number; latenessMs: number; tickMs: number };
  alerts: ValidAlertsConfig;
  /** The built-in event-loss alert: fires when at least `threshold` events are lost within `windowMs`. */
  loss: { threshold: number; windowMs: number; cooldownMs: number };
  /** Absent: no metrics server. */
  metrics?: { address: string } & ListenAddress;
  logging: { level: LogLevel; format: LogFormat };
}
