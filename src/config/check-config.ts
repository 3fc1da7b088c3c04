import { dirname, resolve } from 'node:path';
import { checkAlertsConfig, formatAlertsPath } from '../alerts/validate-alerts-config';
import type { SecretSource, ValidAlertsConfig } from '../alerts/sink-config';
import type { AggregateMode } from '../collector/native-addon';
import { RedisUrlError } from '../errors/redis-url-error';
import { UserError } from '../errors/user-error';
import type { LogFormat, LogLevel } from '../logging/create-logger';
import { parseListenAddress } from '../metrics/metrics-server';
import { redisOptionsFromUrl } from '../queue/redis-url';
import { diagnostic, type Diagnostic } from '../rules/diagnostic';
import { DURATION_SYNTAX, formatDuration, MAX_DURATION_MS, parseDuration } from '../rules/duration';
import type { DataPath, RuleSource } from '../rules/reader';
import { CONFIG_DEFAULTS } from './config-defaults';
import type { Role, ValidConfig } from './valid-config';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const section = (data: Obj, key: string): Obj => (isObj(data[key]) ? data[key] : {});

/** Durations the file may set; only snmpInterval may be 0s (sampling off). */
const DURATIONS: DataPath[] = [
  ['collector', 'snmpInterval'],
  ['queue', 'linger'],
  ['queue', 'failover'],
  ['engine', 'lateness'],
  ['engine', 'tick'],
  ['loss', 'window'],
  ['loss', 'cooldown'],
];
/** What the schema's duration pattern lets through: the check below adds only "more than zero". */
const DURATION_TEXT = /^([0-9]+(ms|s|m|h|d))+$/;

/** What a config load needs from outside the file (tests give their own). */
export interface ConfigContext {
  /** The host name when the file sets none (os.hostname()). */
  hostname: string;
  /** The rules when the file names none (the package's rules/). */
  defaultRules: string;
}

/**
 * Stage 2b of a config load: what the schema cannot say (role against redis, URLs, listen
 * addresses, durations above zero, the alerts section's own rules), each problem located in the
 * source. Checks only values of the right type, so nothing the schema reported is said twice.
 * Builds the ValidConfig, with every default, when `schemaOk` and nothing here is wrong either.
 */
export function checkConfig(
  source: RuleSource,
  schemaOk: boolean,
  context: ConfigContext & { file: string },
): { config?: ValidConfig; diagnostics: Diagnostic[] } {
  const data: Obj = isObj(source.data) ? source.data : {};
  const diagnostics: Diagnostic[] = [];
  const at = (path: DataPath, part: 'key' | 'value' = 'value') => source.locate(path, part);

  if ((data.role === 'collector' || data.role === 'engine') && data.redis === undefined)
    diagnostics.push(
      diagnostic('config.role-needs-redis', at(['role']), `role '${data.role}' needs a redis section: collector and engine processes exchange events only through Redis`, {
        accepted: 'redis: { url: redis://HOST:6379 } beside the role, or role: all for one process with the in-memory queue',
      }),
    );

  const redis = section(data, 'redis');
  if (typeof redis.url === 'string' && redis.url !== '') diagnostics.push(...redisUrlProblems(redis.url, 'url', at(['redis', 'url'])));
  // The alert delivery's Redis follows the same rule: no password in the file.
  const deliveryUrl = section(section(data, 'alerts'), 'delivery').redisUrl;
  if (typeof deliveryUrl === 'string' && deliveryUrl !== '') diagnostics.push(...redisUrlProblems(deliveryUrl, 'redisUrl', at(['alerts', 'delivery', 'redisUrl'])));

  const ringBytes = section(data, 'collector').ringBytes;
  if (Number.isInteger(ringBytes) && (ringBytes as number) >= 4096 && ((ringBytes as number) & ((ringBytes as number) - 1)) !== 0)
    diagnostics.push(diagnostic('config.ring-bytes', at(['collector', 'ringBytes']), `'ringBytes' ${ringBytes} is not a power of two`, { accepted: 'a power of two, at least 4096, e.g. 8388608 (8 MiB)' }));

  for (const path of DURATIONS) {
    const v = section(data, path[0] as string)[path[1]];
    if (typeof v !== 'string' || !DURATION_TEXT.test(v)) continue;
    const ms = parseDuration(v);
    if (ms === undefined && path[1] !== 'snmpInterval')
      diagnostics.push(diagnostic('duration.invalid', at(path), `'${path[1]}' must be longer than 0`, { accepted: DURATION_SYNTAX }));
    if (ms !== undefined && ms > MAX_DURATION_MS)
      diagnostics.push(diagnostic('duration.too-long', at(path), `'${path[1]}' ${v} is longer than ${formatDuration(MAX_DURATION_MS)}`, { accepted: `at most ${formatDuration(MAX_DURATION_MS)}` }));
  }

  const address = section(data, 'metrics').address;
  let listen: ReturnType<typeof parseListenAddress> | undefined;
  if (typeof address === 'string' || Number.isInteger(address)) {
    try {
      listen = parseListenAddress(String(address));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      diagnostics.push(diagnostic('config.metrics-address', at(['metrics', 'address']), `'address' ${JSON.stringify(address)} is not a listen address`, { accepted: 'HOST:PORT, [V6]:PORT, :PORT or PORT, e.g. 127.0.0.1:9464' }));
    }
  }

  let alerts: ValidAlertsConfig = { sinks: [{ type: 'stdout', id: 'stdout' }] };
  if (isObj(data.alerts)) {
    const checked = checkAlertsConfig(data.alerts);
    for (const p of checked.problems)
      diagnostics.push(diagnostic('config.alerts', at(p.path, p.part ?? 'value'), `${formatAlertsPath(p.path)}: ${p.message}`, { accepted: 'see docs/alerts.md' }));
    if (checked.config) alerts = checked.config;
  }

  if (!schemaOk || diagnostics.length > 0) return { diagnostics };
  const configDir = dirname(context.file);
  const d = CONFIG_DEFAULTS;
  const collector = section(data, 'collector');
  const queue = section(data, 'queue');
  const engine = section(data, 'engine');
  const loss = section(data, 'loss');
  const logging = section(data, 'logging');
  // The schema has checked every type; a duration reaching here parses (0s only for snmpInterval).
  const ms = (v: unknown, fallback: string) => parseDuration((v as string | undefined) ?? fallback) ?? 0;
  const config: ValidConfig = {
    file: context.file,
    rules: Array.isArray(data.rules) ? (data.rules as string[]).map((p) => resolve(configDir, p)) : [context.defaultRules],
    role: (data.role as Role | undefined) ?? d.role,
    host: (data.host as string | undefined) ?? context.hostname,
    ...(isObj(data.redis) ? { redis: { url: redis.url as string, ...(redis.password ? { password: redis.password as SecretSource } : {}) } } : {}),
    collector: {
      ringBytes: (collector.ringBytes as number | undefined) ?? d.collector.ringBytes,
      probe: (collector.probe as boolean | undefined) ?? d.collector.probe,
      netns: (collector.netns as number | undefined) ?? d.collector.netns,
      snmpIntervalMs: ms(collector.snmpInterval, d.collector.snmpInterval),
      aggregate: (collector.aggregate as AggregateMode | undefined) ?? d.collector.aggregate,
      aggregateAbove: (collector.aggregateAbove as number | undefined) ?? d.collector.aggregateAbove,
    },
    queue: {
      batchSize: (queue.batchSize as number | undefined) ?? d.queue.batchSize,
      lingerMs: ms(queue.linger, d.queue.linger),
      capacity: (queue.capacity as number | undefined) ?? d.queue.capacity,
      partitions: (queue.partitions as number | undefined) ?? d.queue.partitions,
      failoverMs: ms(queue.failover, d.queue.failover),
    },
    engine: {
      maxKeysPerRule: (engine.maxKeysPerRule as number | undefined) ?? d.engine.maxKeysPerRule,
      distinctExactLimit: (engine.distinctExactLimit as number | undefined) ?? d.engine.distinctExactLimit,
      latenessMs: ms(engine.lateness, d.engine.lateness),
      tickMs: ms(engine.tick, d.engine.tick),
    },
    alerts,
    loss: {
      threshold: (loss.threshold as number | undefined) ?? d.loss.threshold,
      windowMs: ms(loss.window, d.loss.window),
      cooldownMs: ms(loss.cooldown, d.loss.cooldown),
    },
    ...(listen ? { metrics: { address: String(address), ...listen } } : {}),
    logging: {
      level: (logging.level as LogLevel | undefined) ?? d.logging.level,
      format: (logging.format as LogFormat | undefined) ?? d.logging.format,
    },
  };
  return { config, diagnostics };
}

/**
 * A Redis URL in the file (redis.url, alerts.delivery.redisUrl) must parse and must not carry a
 * password (that goes in redis.password, kept out of the file). Messages show the URL masked.
 */
function redisUrlProblems(url: string, key: string, location: Diagnostic['location']): Diagnostic[] {
  const accepted = 'redis://HOST[:PORT][/DB] or rediss://HOST[:PORT][/DB], with the password in redis.password: { env: NAME } or { file: PATH }';
  try {
    if (redisOptionsFromUrl(url).password === undefined) return [];
    const fix = key === 'url' ? 'move it to redis.password' : 'leave redisUrl out to deliver through redis.url, whose password is in redis.password';
    return [diagnostic('config.redis-url', location, `'${key}' holds a password: the config file must not; ${fix}`, { accepted })];
  } catch (err) {
    if (!(err instanceof RedisUrlError)) throw err;
    return [diagnostic('config.redis-url', location, err.message.replace(/ \(expected .*\)$/, ''), { accepted })];
  }
}

